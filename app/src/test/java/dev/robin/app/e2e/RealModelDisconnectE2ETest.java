package dev.robin.app.e2e;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import dev.robin.api.testkit.RawHttpConnection;
import dev.robin.serving.stats.ModelStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that leaves a stream of the real model after three chunks, or a whole (non-streamed) completion while
 * it is generated: the real model actor cancels the sequence within one second, as its published statistics and
 * {@code /health} show.
 */
@Tag("e2e")
@ExtendWith(RealServer.Resolver.class)
class RealModelDisconnectE2ETest {

  private static final int MAX_TOKENS = 400;

  @Test
  void disconnectAfterThreeChunksCancelsTheSequenceWithinOneSecond(RealServer server) throws Exception {
    ModelStats before = server.awaitStats(s -> s.numRunning() == 0 && s.numWaiting() == 0, Duration.ofSeconds(10));
    // ignore_eos: only max_tokens (400, ~2 s of this model) or a cancel ends it.
    String body = "{\"model\":\"stories\",\"stream\":true,\"temperature\":0,\"ignore_eos\":true,\"max_tokens\":"
        + MAX_TOKENS + ",\"prompt\":\"Once upon a time\"}";
    ModelStats whileStreaming;
    long closedAt;
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.port(), 10_000)) {
      client.post("/v1/completions", server.key(), body);
      RawHttpConnection.Head head = client.readHead();
      assertEquals(200, head.status(), head.statusLine());
      assertEquals(3, client.skipSseEvents(3));
      whileStreaming = server.awaitStats(s -> s.numRunning() == 1, Duration.ofSeconds(1));
      closedAt = System.nanoTime();
    }
    assertTrue(whileStreaming.numKvBlocksUsed() > 0, "a running sequence holds KV blocks: " + whileStreaming);
    assertEquals(before.numCancelledTotal(), whileStreaming.numCancelledTotal());

    ModelStats after = server.awaitStats(
        s -> s.numCancelledTotal() == before.numCancelledTotal() + 1 && s.numRunning() == 0, Duration.ofSeconds(1));
    long cancelMillis = (System.nanoTime() - closedAt) / 1_000_000;
    System.out.println("real model: cancelled " + cancelMillis + " ms after the disconnect; " + after);
    long generated = after.numGeneratedTokensTotal() - before.numGeneratedTokensTotal();
    assertTrue(generated < MAX_TOKENS, "the sequence was cut short, not run to max_tokens: " + generated);
    assertTrue(after.numKvBlocksUsed() <= whileStreaming.numKvBlocksUsed(), "its KV blocks were released: " + after);
    assertEquals(before.numRequestsTotal() + 1, after.numRequestsTotal());

    // /health tells the same story to an operator.
    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode model = Json.MAPPER.readTree(health.body()).get("models").get(0);
    assertEquals(0, model.get("running").asInt(), health.body());
    eventually(Duration.ofSeconds(1), () -> assertEquals(0, server.numInFlight(), "the request actor is gone"));
  }

  @Test
  void aWholeCompletionWhoseClientLeavesIsCancelledWithinOneSecond(RealServer server) throws Exception {
    ModelStats before = server.awaitStats(s -> s.numRunning() == 0 && s.numWaiting() == 0, Duration.ofSeconds(10));
    String body = "{\"model\":\"stories\",\"stream\":false,\"temperature\":0,\"ignore_eos\":true,\"max_tokens\":"
        + MAX_TOKENS + ",\"prompt\":\"Once upon a time\"}";
    ModelStats whileGenerating;
    long closedAt;
    // Closed as a client's timeout closes it (a FIN): no byte of the answer has been sent yet.
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.port(), 10_000)) {
      client.post("/v1/completions", server.key(), body);
      whileGenerating = server.awaitStats(
          s -> s.numRunning() == 1 && s.numGeneratedTokensTotal() >= before.numGeneratedTokensTotal() + 5,
          Duration.ofSeconds(5));
      closedAt = System.nanoTime();
    }
    assertTrue(whileGenerating.numKvBlocksUsed() > 0, "a running sequence holds KV blocks: " + whileGenerating);

    ModelStats after = server.awaitStats(
        s -> s.numCancelledTotal() == before.numCancelledTotal() + 1 && s.numRunning() == 0, Duration.ofSeconds(1));
    long cancelMillis = (System.nanoTime() - closedAt) / 1_000_000;
    System.out.println("real model, stream=false: cancelled " + cancelMillis + " ms after the disconnect; " + after);
    long generated = after.numGeneratedTokensTotal() - before.numGeneratedTokensTotal();
    assertTrue(generated < MAX_TOKENS, "the sequence was cut short, not run to max_tokens: " + generated);
    assertTrue(after.numKvBlocksUsed() <= whileGenerating.numKvBlocksUsed(), "its KV blocks were released: " + after);
    eventually(Duration.ofSeconds(1), () -> assertEquals(0, server.numInFlight(), "the request actor is gone"));
  }
}
