package dev.robin.engine.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The read-only shared test data (models, golden outputs, tokenizers), kept beside the repository, never in it:
 * the directory of the system property {@code robin.shared} (surefire sets it), else the nearest
 * {@code shared/} directory with {@code models/} in it above the working directory. Missing data fails the test
 * with the path it looked at: a test that needs a model never passes without it.
 */
public final class TestModels {

  private static final String PROPERTY = "robin.shared";

  private TestModels() {}

  /** The shared data directory. */
  public static Path shared() {
    String property = System.getProperty(PROPERTY);
    if (property != null) {
      return require(Path.of(property).toAbsolutePath().normalize());
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared");
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate;
      }
    }
    throw new AssertionError("shared test data not found: no shared/models/ above " + start
        + " and -D" + PROPERTY + " is not set");
  }

  /** The stories260k checkpoint (Llama, 260k parameters, SentencePiece tokenizer) directory. */
  public static Path stories260k() {
    return require(shared().resolve("models/stories260k"));
  }

  /** The directory of golden outputs. */
  public static Path golden() {
    return require(shared().resolve("golden"));
  }

  /** llama2.c's greedy outputs of stories260k: {@code cases} of prompt, prompt_ids, output_ids, output_text. */
  public static Path stories260kGoldenFile() {
    return require(golden().resolve("stories260k-golden.json"));
  }

  /** The golden cases of {@link #stories260kGoldenFile()}. */
  public static List<GoldenCase> stories260kGoldenCases() {
    try {
      JsonNode root = new ObjectMapper().readTree(stories260kGoldenFile().toFile());
      List<GoldenCase> cases = new ArrayList<>();
      for (JsonNode c : root.get("cases")) {
        cases.add(new GoldenCase(c.get("prompt").asText(), ints(c.get("prompt_ids")), ints(c.get("output_ids")),
            c.get("output_text").asText()));
      }
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Qwen3's tokenizer files (no weights): a 151k-token byte-level BPE and its tool-calling chat template. */
  public static Path qwen3Tokenizer() {
    return require(shared().resolve("tokenizers/qwen3"));
  }

  private static Path require(Path path) {
    if (!Files.exists(path)) {
      throw new AssertionError("shared test data not found: " + path + " (-D" + PROPERTY + "="
          + System.getProperty(PROPERTY, "<unset>") + ")");
    }
    return path;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
