package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.guard.Caller;
import dev.robin.api.guard.Endpoint;
import dev.robin.api.guard.RequestGuard;
import dev.robin.api.guard.Usage;
import dev.robin.api.json.Json;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.RawHttpConnection;
import dev.robin.api.testkit.TestServer;
import dev.robin.serving.replica.ModelActor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that leaves while its whole (non-streamed) completion is being generated gets its sequence cancelled
 * promptly, whether it closes (FIN) or resets (RST) the connection; requests that share a keep-alive or
 * pipelined connection are each answered and never cancelled by one another, and leave no hook behind.
 */
class NonStreamedDisconnectTest {

  private static final String LONG = "long";
  private static final Duration CANCEL_BOUND = Duration.ofSeconds(1);

  private TestServer server;
  private FakeModel longModel;
  /** What the server billed, as the guard heard it. */
  private final java.util.Queue<Usage> billed = new java.util.concurrent.ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    RequestGuard open = RequestGuard.open();
    RequestGuard recording = new RequestGuard() {
      @Override
      public Route guard(Endpoint endpoint, java.util.function.Function<Caller, Route> inner) {
        return open.guard(endpoint, inner);
      }

      @Override
      public void recordUsage(Caller caller, Usage usage) {
        billed.add(usage);
      }
    };
    server = new TestServer("", b -> b.guard(recording));
    // Endless tokens every 20 ms and a huge context: only a cancel ends a 5000-token request within 100 s.
    longModel = new FakeModel(LONG,
        FakeModel.Script.of(server.ids("Hello world")).repeating().withInterval(Duration.ofMillis(20)));
    server.addModel(LONG, longModel, 1_000_000, true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void closingTheConnectionCancelsTheWholeCompletion() throws Exception {
    leaveMidGeneration(false);
  }

  @Test
  void resettingTheConnectionCancelsTheWholeCompletion() throws Exception {
    leaveMidGeneration(true);
  }

  @Test
  void aChatCompletionIsCancelledToo() throws Exception {
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000);
    client.post("/v1/chat/completions", null, "{\"model\":\"long\",\"max_tokens\":5000,\"n\":2,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    await(() -> longModel.stats.get().numRunning() == 2, Duration.ofSeconds(5), "both choices running");
    long closedAt = System.nanoTime();
    client.close();
    await(() -> longModel.cancels().size() == 2, CANCEL_BOUND, "both choices cancelled");
    System.out.println("non-streamed chat n=2: cancelled " + (lastCancelNanos() - closedAt) / 1_000_000
        + " ms after the FIN");
    await(() -> longModel.stats.get().numRunning() == 0, CANCEL_BOUND, "nothing running");
    await(() -> server.server.numInFlight() == 0, CANCEL_BOUND, "the request actor is gone");
  }

  @Test
  void halfClosingCountsAsLeaving() throws Exception {
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000);
    client.post("/v1/completions", null, "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":5000}");
    await(() -> longModel.stats.get().numRunning() == 1, Duration.ofSeconds(5), "the sequence running");
    long closedAt = System.nanoTime();
    client.halfClose();
    await(() -> longModel.cancels().size() == 1, CANCEL_BOUND, "the sequence cancelled");
    System.out.println("non-streamed, half-close: cancelled " + (lastCancelNanos() - closedAt) / 1_000_000
        + " ms after the FIN");
    client.close();
  }

  @Test
  void lastRequestsThatAskToCloseTheConnectionAreAnswered() throws Exception {
    byte[] json = "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":30}".getBytes(StandardCharsets.UTF_8);
    // Both end the server's request side at once (no further request may follow): not the client leaving.
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000)) {
      client.write(client.postBytes("/v1/completions", null, json, "Connection: close"));
      assertWholeAnswer(client, 30);
    }
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000)) {
      client.write(client.postBytes("HTTP/1.0", "/v1/completions", null, json));
      assertWholeAnswer(client, 30);
    }
    assertEquals(List.of(), longModel.cancels());
  }

  @Test
  void withHalfCloseNotCountingAHalfClosedClientIsAnswered() throws Exception {
    server.close();
    server = new TestServer("robin.server.half-close-is-disconnect = off");
    longModel = new FakeModel(LONG,
        FakeModel.Script.of(server.ids("Hello world")).repeating().withInterval(Duration.ofMillis(20)));
    server.addModel(LONG, longModel, 1_000_000, true);
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000)) {
      client.post("/v1/completions", null, "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":30}");
      client.halfClose();
      assertWholeAnswer(client, 30);
    }
    assertEquals(List.of(), longModel.cancels());
    // A reset still counts.
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000);
    client.post("/v1/completions", null, "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":5000}");
    await(() -> longModel.stats.get().numRunning() == 1, Duration.ofSeconds(5), "the sequence running");
    client.reset();
    await(() -> longModel.cancels().size() == 1, CANCEL_BOUND, "the sequence cancelled");
  }

  @Test
  void keepAliveRequestsAreEachAnsweredAndLeaveNoHook() throws Exception {
    String body = "{\"model\":\"fake\",\"prompt\":\"Hello\",\"max_tokens\":20}";
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000)) {
      for (int i = 0; i < 8; i++) {
        client.post("/v1/completions", null, body);
        RawHttpConnection.Head head = client.readHead();
        assertNotNull(head, "request " + i + " answered");
        assertEquals(200, head.status(), head.statusLine());
        assertEquals(TestServer.SCRIPT_TEXT, text(client.readBody(head)));
        assertEquals(1, server.server.connections().numOpen(), "still the one connection");
        // The hook goes when the response is handed over, a moment before the client reads it.
        await(() -> server.server.connections().numHooks() == 0, CANCEL_BOUND, "no hook left after request " + i);
      }
      assertEquals(8, server.model.generates().size());
      assertEquals(List.of(), server.model.cancels(), "no request on the connection was cancelled");
    }
    await(() -> server.server.connections().numOpen() == 0, CANCEL_BOUND, "the connection's scope closed");
    assertEquals(List.of(), server.model.cancels());
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderAndNotCancelledByOneAnother() throws Exception {
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000)) {
      // A slow one first (30 tokens, ~0.6 s), then two quick ones queued behind it on the same connection.
      byte[] slow = client.postBytes("/v1/completions", null,
          "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":30}".getBytes(StandardCharsets.UTF_8));
      byte[] quick = client.postBytes("/v1/completions", null,
          "{\"model\":\"fake\",\"prompt\":\"Hello\",\"max_tokens\":20}".getBytes(StandardCharsets.UTF_8));
      client.write(concat(slow, quick, quick));
      RawHttpConnection.Head first = client.readHead();
      assertEquals(200, first.status(), first.statusLine());
      JsonNode slowAnswer = Json.MAPPER.readTree(client.readBody(first));
      assertEquals(30, slowAnswer.get("usage").get("completion_tokens").asInt(), slowAnswer.toString());
      for (int i = 0; i < 2; i++) {
        RawHttpConnection.Head head = client.readHead();
        assertEquals(200, head.status(), head.statusLine());
        assertEquals(TestServer.SCRIPT_TEXT, text(client.readBody(head)));
      }
      assertEquals(List.of(), longModel.cancels());
      assertEquals(List.of(), server.model.cancels());
      await(() -> server.server.connections().numHooks() == 0, CANCEL_BOUND, "no hook left");
    }
  }

  @Test
  void leavingWithPipelinedRequestsPendingCancelsTheOneRunning() throws Exception {
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000);
    byte[] quick = client.postBytes("/v1/completions", null,
        "{\"model\":\"fake\",\"prompt\":\"Hello\",\"max_tokens\":20}".getBytes(StandardCharsets.UTF_8));
    byte[] endless = client.postBytes("/v1/completions", null,
        "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":5000}".getBytes(StandardCharsets.UTF_8));
    client.write(concat(quick, endless));
    RawHttpConnection.Head head = client.readHead();
    assertEquals(200, head.status(), head.statusLine());
    assertEquals(TestServer.SCRIPT_TEXT, text(client.readBody(head)));
    await(() -> longModel.stats.get().numRunning() == 1, Duration.ofSeconds(5), "the second request running");
    assertEquals(1, server.server.connections().numHooks(), "only the unanswered request holds a hook");
    client.close();
    await(() -> longModel.cancels().size() == 1, CANCEL_BOUND, "the second request cancelled");
    assertEquals(List.of(), server.model.cancels(), "the answered one was not");
    await(() -> server.server.connections().numOpen() == 0, CANCEL_BOUND, "the scope closed");
  }

  @Test
  void aWholeCompletionInFlightAtShutdownIsAnsweredAndNotCancelled() throws Exception {
    java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> answer = server.http.sendAsync(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/v1/completions")))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":40}"))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    await(() -> longModel.stats.get().numRunning() == 1, Duration.ofSeconds(5), "the sequence running");
    // What SIGTERM runs: unbind, let in-flight requests finish, then terminate the connections.
    java.util.concurrent.CompletableFuture<Void> stopped = server.server.stop().toCompletableFuture();
    java.net.http.HttpResponse<String> response = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(40, Json.MAPPER.readTree(response.body()).get("usage").get("completion_tokens").asInt());
    stopped.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(List.of(), longModel.cancels(), "the drain let it finish");
    await(() -> server.server.connections().numOpen() == 0, Duration.ofSeconds(2), "terminate closed the connection");
  }

  private void leaveMidGeneration(boolean reset) throws Exception {
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000);
    client.post("/v1/completions", null, "{\"model\":\"long\",\"prompt\":\"a\",\"max_tokens\":5000}");
    await(() -> longModel.stats.get().numRunning() == 1, Duration.ofSeconds(5), "the sequence running");
    Thread.sleep(100); // a few tokens into it
    assertEquals(1, server.server.connections().numHooks(), "the request registered its hook");
    String sequence = longModel.generates().get(0).id();
    long closedAt = System.nanoTime();
    if (reset) {
      client.reset();
    } else {
      client.close();
    }
    await(() -> longModel.cancels().size() == 1, CANCEL_BOUND, "the sequence cancelled");
    long cancelMillis = (lastCancelNanos() - closedAt) / 1_000_000;
    System.out.println("non-streamed, " + (reset ? "RST" : "FIN") + ": cancelled " + cancelMillis
        + " ms after the client left");
    assertEquals(sequence, longModel.cancels().get(0).requestId());
    await(() -> longModel.stats.get().numRunning() == 0, CANCEL_BOUND, "the model released it");
    assertEquals(1, longModel.stats.get().numCancelledTotal());
    long generated = longModel.stats.get().numGeneratedTokensTotal();
    assertTrue(generated < 200, "cut short, not run to max_tokens: " + generated);
    await(() -> server.server.numInFlight() == 0, CANCEL_BOUND, "the request actor is gone");
    await(() -> server.server.connections().numOpen() == 0, CANCEL_BOUND, "the connection's scope closed");
    assertEquals(0, server.server.connections().numHooks());
    // Billed once, for what was generated before the cancel (as a stream whose client leaves is).
    assertEquals(1, billed.size(), billed.toString());
    Usage usage = billed.peek();
    assertEquals(longModel.generates().get(0).promptIds().length, usage.promptTokens(), usage.toString());
    assertTrue(usage.completionTokens() > 0 && usage.completionTokens() <= generated, usage + " vs " + generated);
    String metrics = server.get("/metrics").body();
    assertTrue(metrics.contains("robin_completion_requests_total{kind=\"text\",model=\"long\","
        + "outcome=\"client_disconnected\"} 1.0"), metrics);
  }

  private static void assertWholeAnswer(RawHttpConnection client, int tokens) throws Exception {
    RawHttpConnection.Head head = client.readHead();
    assertNotNull(head, "answered");
    assertEquals(200, head.status(), head.statusLine());
    JsonNode answer = Json.MAPPER.readTree(client.readBody(head));
    assertEquals(tokens, answer.get("usage").get("completion_tokens").asInt(), answer.toString());
  }

  private long lastCancelNanos() {
    return longModel.received.stream()
        .filter(r -> r.command() instanceof ModelActor.Cancel)
        .mapToLong(FakeModel.Received::nanoTime)
        .max()
        .orElseThrow();
  }

  private static String text(String body) throws Exception {
    return Json.MAPPER.readTree(body).get("choices").get(0).get("text").asText();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return all.toByteArray();
  }

  static void await(BooleanSupplier condition, Duration within, String what) {
    eventually(within, () -> assertTrue(condition.getAsBoolean(), what));
  }
}
