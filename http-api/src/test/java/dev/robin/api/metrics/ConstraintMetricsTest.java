package dev.robin.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.testkit.FakeTokenizer;
import dev.robin.api.testkit.TestServer;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.grammar.GrammarCache;
import dev.robin.engine.grammar.TokenVocabularyBytes;
import dev.robin.engine.sampling.ConstraintMeter;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import dev.robin.serving.stats.ModelStatsBoard;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What structured outputs cost, over real HTTP: a real model actor and engine (a runner that only takes time) serve
 * constrained completions, and {@code /metrics} then shows the mask time of their steps, one compilation of the
 * repeated schema and a cache hit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConstraintMetricsTest {

  private static final String MODEL = "masked";
  /** The fake tokenizer's ids are the grammar's vocabulary; its EOS ends a document. */
  private static final int STOP = FakeTokenizer.EOS;
  private static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"integer\","
          + "\"minimum\":0,\"maximum\":9}},\"required\":[\"b\"]}},\"required\":[\"a\"]}";

  private TestServer server;
  private final ModelStatsBoard board = new ModelStatsBoard();

  @BeforeAll
  void start() {
    server = new TestServer();
    SchedulerConfig config = SchedulerConfig.defaults(512, Set.of(STOP));
    int vocab = server.tokenizer.vocabSize();
    byte[][] bytes = new byte[vocab][];
    for (int id = 0; id < vocab; id++) {
      String text = server.tokenizer.tokenText(id);
      // Special tokens, and the 64 KiB token of slow-client tests, are never allowed.
      bytes[id] = server.tokenizer.isSpecial(id) || text.equals(FakeTokenizer.HUGE)
          ? null : text.getBytes(StandardCharsets.UTF_8);
    }
    GrammarCache grammars = new GrammarCache(TokenVocabularyBytes.of(vocab, bytes, STOP), 8);
    server.addReplica(MODEL, r -> {
      ConstraintMeter meter = new ConstraintMeter();
      FakeRunner runner = FakeRunner.builder().numBlocks(256).vocabSize(vocab)
          .stepDelay(Duration.ofMillis(1)).nextToken(context -> 20 + context.length % 60).build();
      return new EngineCore(config, runner, params -> Samplers.create(params, vocab, grammars, Set.of(STOP), meter), meter);
    }, board);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static String constrained() {
    return "{\"model\":\"" + MODEL + "\",\"prompt\":\"Hello\",\"max_tokens\":40,\"stream\":false,\"response_format\":{\"type\":"
        + "\"json_schema\",\"json_schema\":{\"name\":\"n\",\"schema\":" + SCHEMA + "}}}";
  }

  @Test
  void metricsShowMaskTimePerStepAndOneCompilationOfARepeatedSchema() {
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = server.post("/v1/completions", constrained());
      assertEquals(200, r.statusCode(), r.body());
    }
    String text = server.get("/metrics").body();
    assertTrue(text.contains("# TYPE robin_model_step_mask_seconds histogram"), text);
    double maskSteps = sample(text, "robin_model_step_mask_seconds_count");
    assertTrue(maskSteps >= 2, "steps with a masked sequence: " + maskSteps + "\n" + text);
    assertTrue(sample(text, "robin_model_step_mask_seconds_sum") > 0, "the steps' mask time was not recorded");
    assertTrue(sample(text, "robin_model_masked_sequences_total") >= maskSteps);
    assertEquals(1, sample(text, "robin_model_grammar_cache_misses_total"));
    assertEquals(1, sample(text, "robin_model_grammar_cache_hits_total"));
    assertEquals(1, sample(text, "robin_model_grammar_compile_seconds_count"));
    assertTrue(sample(text, "robin_model_grammar_compile_seconds_sum") > 0, "the compile time was not recorded");
  }

  private static double sample(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{model=\"" + MODEL + "\"}")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " missing:\n" + text);
  }
}
