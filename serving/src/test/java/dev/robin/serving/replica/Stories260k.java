package dev.robin.serving.replica;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared stories260k model and its llama2.c greedy golden outputs, read through {@code robin.shared}. */
final class Stories260k {

  /** A golden prompt and the 64 greedy tokens llama2.c generates after it. */
  record Case(String prompt, int[] promptIds, int[] outputIds) {}

  private Stories260k() {}

  static Path shared() {
    return Path.of(System.getProperty("robin.shared", "../../shared"));
  }

  static Path modelDir() {
    return shared().resolve("models/stories260k");
  }

  static List<Case> goldenCases() {
    try {
      JsonNode root =
          new ObjectMapper().readTree(shared().resolve("golden/stories260k-golden.json").toFile());
      List<Case> cases = new ArrayList<>();
      for (JsonNode c : root.get("cases")) {
        cases.add(new Case(c.get("prompt").asText(), ints(c.get("prompt_ids")), ints(c.get("output_ids"))));
      }
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
