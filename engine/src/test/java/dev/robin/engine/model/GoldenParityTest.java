package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runner reproduces llama2.c's float32 greedy outputs for stories260k token for token: whole prompts,
 * prompts fed in chunks (chunked prefill), and prompts whose prefix is already cached.
 */
class GoldenParityTest {

  private static final int NUM_TOKENS = 64;
  private static final int BLOCK_SIZE = 16;

  record Case(String prompt, int[] promptIds, int[] outputIds) {}

  private static List<Case> cases;
  private static LlamaRunner runner;

  @BeforeAll
  static void load() throws IOException {
    JsonNode root = new ObjectMapper().readTree(TestModels.stories260kGoldenFile().toFile());
    cases = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      cases.add(new Case(c.get("prompt").asText(), ints(c.get("prompt_ids")), ints(c.get("output_ids"))));
    }
    assertFalse(cases.isEmpty());
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    runner = LlamaRunner.create(ckpt, ckpt.config(), Device.cpu(), DataType.FLOAT32, 64, BLOCK_SIZE);
  }

  @AfterAll
  static void close() {
    runner.close();
  }

  @Test
  void wholePromptMatchesGolden() {
    for (Case c : cases) {
      int[] out = Generation.greedy(runner, 1, 0, c.promptIds(), 0, Integer.MAX_VALUE, NUM_TOKENS);
      assertArrayEquals(c.outputIds(), out, "prompt \"" + c.prompt() + "\"");
    }
  }

  @Test
  void chunkedPrefillMatchesGolden() {
    for (Case c : cases) {
      for (int chunk : new int[] {1, 2, 3}) {
        int[] out = Generation.greedy(runner, 2, 8, c.promptIds(), 0, chunk, NUM_TOKENS);
        assertArrayEquals(c.outputIds(), out, "prompt \"" + c.prompt() + "\" in chunks of " + chunk);
      }
    }
  }

  @Test
  void cachedPrefixMatchesGolden() {
    for (Case c : cases) {
      if (c.promptIds().length < 2) {
        continue;
      }
      int cached = c.promptIds().length - 2;
      // Fill the prefix's slots as a prefix-cache hit would have left them (wantsLogits false), then continue
      // from startPosition > 0 in a separate step.
      int[] table = Generation.contiguousBlocks(16, c.promptIds().length + NUM_TOKENS, BLOCK_SIZE);
      if (cached > 0) {
        Generation.step(runner, new dev.robin.engine.scheduler.SequenceChunk(
            3, java.util.Arrays.copyOf(c.promptIds(), cached), 0, table, false));
      }
      int[] out = Generation.greedy(runner, 3, 16, c.promptIds(), cached, Integer.MAX_VALUE, NUM_TOKENS);
      assertArrayEquals(c.outputIds(), out, "prompt \"" + c.prompt() + "\" after " + cached + " cached");
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
