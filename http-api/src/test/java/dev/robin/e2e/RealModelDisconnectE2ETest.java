package dev.robin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import dev.robin.cluster.model.ModelStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that leaves a stream of the real model after three chunks: the real model actor cancels the sequence
 * within one second, as its published statistics and {@code /health} show.
 */
@Tag("e2e")
@ExtendWith(RealServer.Resolver.class)
class RealModelDisconnectE2ETest {

  private static final int MAX_TOKENS = 400;

  @Test
  void disconnectAfterThreeChunksCancelsTheSequenceWithinOneSecond(RealServer server) throws Exception {
    ModelStats before = awaitStats(server, s -> s.numRunning() == 0 && s.numWaiting() == 0, Duration.ofSeconds(10));
    // ignore_eos: only max_tokens (400, ~2 s of this model) or a cancel ends it.
    String body = "{\"model\":\"stories\",\"stream\":true,\"temperature\":0,\"ignore_eos\":true,\"max_tokens\":"
        + MAX_TOKENS + ",\"prompt\":\"Once upon a time\"}";
    ModelStats whileStreaming;
    long closedAt;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + server.key() + "\r\n"
          + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      assertTrue(status.contains(" 200 "), status);
      int chunks = 0;
      for (String line = in.readLine(); line != null && chunks < 3; line = in.readLine()) {
        if (line.startsWith("data: {")) {
          chunks++;
        }
      }
      assertEquals(3, chunks);
      whileStreaming = awaitStats(server, s -> s.numRunning() == 1, Duration.ofSeconds(1));
      closedAt = System.nanoTime();
    }
    assertTrue(whileStreaming.numKvBlocksUsed() > 0, "a running sequence holds KV blocks: " + whileStreaming);
    assertEquals(before.numCancelledTotal(), whileStreaming.numCancelledTotal());

    ModelStats after = awaitStats(server,
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
    long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < deadline && server.numInFlight() > 0) {
      Thread.sleep(10);
    }
    assertEquals(0, server.numInFlight(), "the request actor is gone");
  }

  private static ModelStats awaitStats(RealServer server, Predicate<ModelStats> condition, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    ModelStats stats = server.model().currentStats();
    while (!condition.test(stats)) {
      assertTrue(System.nanoTime() < deadline, "not within " + within + ": " + stats);
      Thread.sleep(5);
      stats = server.model().currentStats();
    }
    return stats;
  }
}
