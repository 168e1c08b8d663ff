package dev.robin.api.metrics;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.TestServer;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.StepKind;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.FakeRunner;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The step histograms over real HTTP: a real model actor and engine (with a runner that only takes time)
 * serves completions, and {@code /metrics} then shows consistent cumulative histograms of the steps it ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepMetricsTest {

  private static final String MODEL = "steps";
  private static final int VOCAB = 100;
  private static final Pattern SAMPLE =
      Pattern.compile("^(robin_model_step_\\w+?)_(bucket|sum|count)\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private TestServer server;
  private final ModelStatsBoard board = new ModelStatsBoard();
  private final ReplicaId replica = new ReplicaId(MODEL, 0);

  /** Takes a few milliseconds per step and predicts a printable, never-EOS token from the position. */
  private static FakeRunner timedRunner() {
    return FakeRunner.builder()
        .numBlocks(256)
        .vocabSize(VOCAB)
        .stepDelay(Duration.ofMillis(3))
        .nextToken(context -> 20 + context.length % 60)
        .build();
  }

  @BeforeAll
  void start() {
    server = new TestServer();
    SchedulerConfig config = SchedulerConfig.defaults(512, Set.of(1));
    server.addReplica(MODEL, r -> new EngineCore(config, timedRunner(), params -> Samplers.create(params, VOCAB)), board);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static String completion(String prompt, int maxTokens) {
    return "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
        + ",\"ignore_eos\":true}";
  }

  @Test
  void metricsShowConsistentStepHistogramsOfEveryKindTheTrafficProduced() throws Exception {
    // A long generation decodes alone, then a second prompt arrives while it decodes (mixed steps).
    CompletableFuture<HttpResponse<String>> longOne = server.http.sendAsync(
        HttpRequest.newBuilder(URI.create(server.url("/v1/completions")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(completion("Hello world", 200)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    eventually(Duration.ofSeconds(10), () -> assertTrue(
        board.get(replica.entityId()).map(s -> s.steps().durationSeconds(StepKind.DECODE).count()).orElse(0L) > 0,
        () -> "the first request never decoded: " + board.get(replica.entityId()) + " response "
            + (longOne.isDone() ? longOne.join().statusCode() + " " + longOne.join().body() : "pending")));
    HttpResponse<String> shortOne = server.post("/v1/completions", completion(" once upon a time", 5));
    assertEquals(200, shortOne.statusCode(), shortOne.body());
    assertFalse(longOne.isDone(), "the second request came and went while the first was decoding");
    HttpResponse<String> first = longOne.get();
    assertEquals(200, first.statusCode(), first.body());
    List<JsonNode> usages = List.of(TestServer.json(first).get("usage"), TestServer.json(shortOne).get("usage"));

    HttpResponse<String> r = server.get("/metrics");
    assertEquals(200, r.statusCode());
    String text = r.body();
    assertTrue(text.contains("# TYPE robin_model_step_duration_seconds histogram"), text);
    assertTrue(text.contains("# TYPE robin_model_step_tokens histogram"), text);
    Map<String, Histogram> durations = histograms(text, "robin_model_step_duration_seconds");
    Map<String, Histogram> tokens = histograms(text, "robin_model_step_tokens");
    for (String kind : List.of("decode", "mixed", "prefill")) {
      Histogram d = durations.get(kind);
      assertTrue(d != null && d.count > 0, kind + " steps in:\n" + text);
      assertTrue(d.sum > 0, kind);
      assertEquals(d.count, tokens.get(kind).count, "one token observation per step of kind " + kind);
    }
    assertEquals(16, durations.get("decode").buckets.size(), "15 bounds (5 ms to 5 s) and +Inf");
    assertEquals(0.005, durations.get("decode").buckets.firstKey());

    long promptTokens = 0;
    long decodeTokens = 0;
    for (JsonNode usage : usages) {
      promptTokens += usage.get("prompt_tokens").asLong();
      decodeTokens += usage.get("completion_tokens").asLong() - 1; // each first token comes with its prompt
    }
    assertEquals(promptTokens, counter(text, "robin_model_prompt_tokens_computed_total"), "no prefix was cached");
    assertEquals(decodeTokens, counter(text, "robin_model_decode_tokens_computed_total"));
    double tokensSum = tokens.values().stream().mapToDouble(h -> h.sum).sum();
    assertEquals(promptTokens + decodeTokens, tokensSum, 1e-9, "tokens per step add up to the computed tokens");
  }

  /** One kind's histogram as scraped. */
  private static final class Histogram {
    final TreeMap<Double, Long> buckets = new TreeMap<>();
    long count = -1;
    double sum = Double.NaN;
  }

  /** The {@code model="steps"} series of histogram {@code name}, by kind, checked for consistency. */
  private static Map<String, Histogram> histograms(String text, String name) {
    Map<String, Histogram> byKind = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches() || !m.group(1).equals(name)) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(m.group(3));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      if (!MODEL.equals(labels.get("model"))) {
        continue;
      }
      Histogram h = byKind.computeIfAbsent(labels.get("kind"), k -> new Histogram());
      double value = Double.parseDouble(m.group(4));
      switch (m.group(2)) {
        case "bucket" -> {
          String le = labels.get("le");
          h.buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), (long) value);
        }
        case "count" -> h.count = (long) value;
        default -> h.sum = value;
      }
    }
    for (Map.Entry<String, Histogram> e : byKind.entrySet()) {
      Histogram h = e.getValue();
      long previous = 0;
      for (Map.Entry<Double, Long> b : h.buckets.entrySet()) {
        assertTrue(b.getValue() >= previous, name + " " + e.getKey() + " buckets are cumulative: " + h.buckets);
        previous = b.getValue();
      }
      assertEquals(Double.POSITIVE_INFINITY, h.buckets.lastKey(), name + " has a +Inf bucket");
      assertEquals(h.count, h.buckets.get(Double.POSITIVE_INFINITY), name + " " + e.getKey() + ": +Inf == _count");
    }
    return byKind;
  }

  private static long counter(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{model=\"" + MODEL + "\"}")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " missing:\n" + text);
  }
}
