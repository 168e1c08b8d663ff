package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** /health and /metrics read published statistics only: fast even while the model's loop is blocked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthAndMetricsTest {

  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void healthHasTheContractFields() {
    HttpResponse<String> r = server.get("/api/v1/health");
    assertEquals(200, r.statusCode());
    JsonNode body = TestServer.json(r);
    assertEquals("ok", body.get("status").asText());
    assertEquals("0.1.0", body.get("version").asText());
    long uptime = body.get("uptime_seconds").asLong();
    long jvmUptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    assertTrue(uptime >= 0 && uptime <= jvmUptime,
        "the server started in this JVM, " + jvmUptime + " s ago: " + uptime);
    JsonNode model = body.get("models").get(0);
    for (String field : List.of("id", "status", "replicas", "device", "projections", "queue_depth", "running", "kv_cache_usage",
        "tokens_per_second_1m", "requests_total")) {
      assertTrue(model.has(field), field);
    }
    assertEquals("fake", model.get("id").asText());
    assertEquals("ready", model.get("status").asText());
    JsonNode system = body.get("system");
    for (String field : List.of("cpu_load", "heap_used_bytes", "heap_max_bytes", "available_processors")) {
      assertTrue(system.has(field), field);
    }
    assertTrue(system.get("heap_used_bytes").asLong() > 0);
    assertTrue(!body.has("cluster"), "not clustered");
    assertEquals(200, server.get("/v1/health").statusCode());
  }

  @Test
  void healthAnswersWithin100msWhileTheModelIsBusy() throws Exception {
    FakeModel busy = new FakeModel("busy", FakeModel.Script.of(server.ids("Hello")).repeating()
        .withInterval(Duration.ofMillis(1)).withStepBlock(Duration.ofMillis(400)));
    server.addModel("busy", busy, 64, true);
    CompletableFuture<HttpResponse<String>> generating = server.http.sendAsync(
        HttpRequest.newBuilder(URI.create(server.url("/v1/completions")))
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"busy\",\"prompt\":\"a\",\"max_tokens\":8}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    eventually(() -> assertTrue(busy.stats.get().numRunning() > 0));
    // the model's thread is now blocked 400 ms per step
    for (int i = 0; i < 3; i++) {
      server.get("/api/v1/health"); // warm up
    }
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = server.get("/api/v1/health");
      millis.add((System.nanoTime() - t0) / 1_000_000);
      assertEquals(200, r.statusCode());
      assertEquals(1, TestServer.json(r).get("models").get(1).get("running").asInt());
    }
    Collections.sort(millis);
    assertTrue(millis.get(millis.size() / 2) < 100, "median health latency " + millis);
    assertTrue(generating.get().statusCode() == 200);
  }

  @Test
  void metricsInPrometheusTextFormat() {
    server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":2}");
    HttpResponse<String> r = server.get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
    String text = r.body();
    assertTrue(text.contains("# TYPE robin_model_queue_depth gauge"), text);
    assertTrue(text.contains("robin_model_kv_cache_usage{model=\"fake\"}"), text);
    assertTrue(text.contains("robin_completion_requests_total{kind=\"text\",model=\"fake\",outcome=\"ok\"}"), text);
    assertTrue(text.contains("robin_completion_tokens_total{model=\"fake\"}"), text);
    assertTrue(text.contains("robin_http_requests_total{method=\"POST\",status=\"200\"}"), text);
    assertTrue(text.contains("robin_time_to_first_token_seconds_count{model=\"fake\"}"), text);
  }
}
