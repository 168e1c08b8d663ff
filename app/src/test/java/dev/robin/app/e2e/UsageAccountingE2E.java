package dev.robin.app.e2e;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import dev.robin.api.model.ServedModel;
import dev.robin.api.testkit.RawHttpConnection;
import dev.robin.app.cli.ServeCommand;
import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.Stores;
import dev.robin.engine.testkit.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * 100 mixed requests with one key against the real server, restarted after 50, and {@code GET /api/v1/usage}
 * must equal what the server reported in its responses. Subclasses choose the store.
 *
 * <p>What "reported" means per kind of request:
 * <ul>
 *   <li>whole completions and chat completions: the response's {@code usage};</li>
 *   <li>streams with {@code stream_options.include_usage} (some ending early on a {@code stop} string): the final
 *       usage chunk;</li>
 *   <li>streams the client drops after a few chunks: the server reports nothing to that client (there is nobody
 *       to send a usage chunk to), so the client cannot know the exact figure. What the server counts is what it
 *       had generated for the request when it noticed the disconnect. Each counts as one request; its prompt
 *       tokens are exactly those reported for the same prompt by a whole completion; its completion tokens lie
 *       between the content chunks the client read and {@code max_tokens}. Exactness for these comes from the
 *       server's own per-request accounting instead: {@code robin_prompt_tokens_total} and
 *       {@code robin_completion_tokens_total} in {@code /metrics} (fed by the same per-request usage, but not
 *       through the recorder or the store), summed over the server's lives, must equal the store's totals
 *       exactly, and the model's {@code robin_model_generated_tokens_total} must be at least that (tokens
 *       generated after a cancellation was noticed are not billed). {@code /metrics} must also show some requests
 *       ended as {@code client_disconnected}, so the mix really has cancellations, not streams that finished
 *       before the client left;</li>
 *   <li>rejected requests (400 invalid parameter, 404 unknown model): refused before any generation starts, so
 *       KeyGuard never records them: they must not count at all.</li>
 * </ul>
 * The usage recorder's flush interval is set to an hour, so the first 50 requests reach the store only through
 * the flush on graceful shutdown: the restart proves that what shutdown flushed is kept, and the key survives it.
 * A final stop and start reads the totals after the last flush.
 */
abstract class UsageAccountingE2E {

  private static final String MODEL = "stories";
  private static final int NUM_REQUESTS = 100;
  private static final int CANCELLED_MAX_TOKENS = 300;
  private static final int CANCEL_AFTER_CHUNKS = 3;
  private static final String[] PROMPTS = {
      "Once upon a time", "Lily had a red ball", "The sun was", "Tom and his dog", "One day, a little bird"};

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Long> promptTokensOf = new HashMap<>();

  private long numCounted;
  private long promptTokens;
  private long completionTokens;
  private long numCancelled;
  private long cancelledChunksRead;
  private long numRejected;
  private ServeCommand.Serving serving;
  private String keyId;
  private long metricPromptTokens;
  private long metricCompletionTokens;
  private long metricGeneratedTokens;
  private long metricDisconnected;

  /** HOCON lines choosing and configuring the store under test (over an hour-long usage flush interval). */
  abstract String storeConfig(Path dataDir) throws Exception;

  /**
   * With the server stopped: fails unless the store under test (and not the other one) holds these totals for the
   * key, so the server really used the backend the subclass chose.
   */
  abstract void assertStoreHolds(Path dataDir, String keyId, long requests, long promptTokens, long completionTokens)
      throws Exception;

  @Test
  void usageTotalsEqualWhatTheServerReportedAcrossARestart() throws Exception {
    Path dataDir = Files.createTempDirectory("robin-usage-e2e");
    Path config = dataDir.resolve("overlay.conf");
    Files.writeString(config, "robin.store.usage.flush-interval = 1h\n" + storeConfig(dataDir) + "\n");
    serving = start(dataDir, config);
    try {
      String key = createKey(baseUrl(serving));
      for (int i = 0; i < NUM_REQUESTS / 2; i++) {
        send(baseUrl(serving), key, i);
      }
      restart(dataDir, config);
      assertAccounted(usageTotals(key), "after the first half and a restart");
      for (int i = NUM_REQUESTS / 2; i < NUM_REQUESTS; i++) {
        send(baseUrl(serving), key, i);
      }
      restart(dataDir, config);
      assertTrue(numCancelled > 0 && numRejected > 0, "the mix has cancelled and rejected requests");
      assertTrue(metricDisconnected > 0, "some dropped streams were cancelled by the server, not finished");
      long[] totals = usageTotals(key);
      assertAccounted(totals, "at the end");
      stop(serving);
      serving = null;
      assertStoreHolds(dataDir, keyId, totals[0], totals[1], totals[2]);
    } finally {
      if (serving != null) {
        stop(serving);
      }
      try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The key's requests, prompt and completion tokens from {@code GET /api/v1/usage}, summed over its days. */
  private long[] usageTotals(String key) throws Exception {
    JsonNode usage = getJson(baseUrl(serving) + "/api/v1/usage", key);
    keyId = usage.get("key_id").asText();
    long[] totals = new long[3];
    for (JsonNode day : usage.get("data")) {
      totals[0] += day.get("requests").asLong();
      totals[1] += day.get("prompt_tokens").asLong();
      totals[2] += day.get("completion_tokens").asLong();
    }
    return totals;
  }

  /** Fails unless {requests, prompt, completion} match everything the server reported so far. */
  private void assertAccounted(long[] totals, String when) {
    long requests = totals[0];
    long prompt = totals[1];
    long completion = totals[2];
    assertEquals(numCounted, requests, "requests (rejected ones not counted) " + when);
    assertEquals(promptTokens, prompt, "prompt_tokens " + when);
    // What the server counted per request (also for dropped streams), from its own metrics: exactly the store's.
    assertEquals(List.of(metricPromptTokens, metricCompletionTokens), List.of(prompt, completion),
        "prompt and completion tokens in /metrics, summed over the server's lives, " + when);
    assertTrue(metricGeneratedTokens >= completion,
        "the model generated " + metricGeneratedTokens + " tokens, at least the " + completion + " counted " + when);
    long cancelledTokens = completion - completionTokens;
    assertTrue(cancelledTokens >= cancelledChunksRead && cancelledTokens <= numCancelled * CANCELLED_MAX_TOKENS,
        "completion_tokens " + completion + " = reported " + completionTokens + " + cancelled " + cancelledTokens
            + ", which must lie in [" + cancelledChunksRead + ", " + numCancelled * CANCELLED_MAX_TOKENS + "] "
            + when);
  }

  /** Fails unless {@code stores} hold exactly these totals for the key, summed over its days. */
  static void assertTotals(Stores stores, String keyId, long requests, long promptTokens, long completionTokens)
      throws Exception {
    List<DailyUsage> days = stores.usage().usage(keyId).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(List.of(requests, promptTokens, completionTokens), List.of(
        days.stream().mapToLong(DailyUsage::numRequests).sum(),
        days.stream().mapToLong(DailyUsage::promptTokens).sum(),
        days.stream().mapToLong(DailyUsage::completionTokens).sum()), "requests, prompt and completion tokens in the store");
  }

  /** Request {@code i} of the mix: seven kinds in turn. */
  private void send(String base, String key, int i) throws Exception {
    String prompt = PROMPTS[i % PROMPTS.length];
    switch (i % 7) {
      case 0 -> countWhole(post(base, key, "/v1/completions", completion(prompt, 8 + i % 9)), prompt);
      case 1 -> countWhole(post(base, key, "/v1/chat/completions", chat(prompt, 6 + i % 7)), null);
      case 2 -> countStreamed(base, key, "/v1/completions", withUsage(completion(prompt, 10 + i % 5)));
      case 3 -> countStreamed(base, key, "/v1/chat/completions", withUsage(chat(prompt, 12)));
      case 4 -> {
        ObjectNode stopped = withUsage(completion(prompt, 40));
        stopped.putArray("stop").add(".").add(" the");
        countStreamed(base, key, "/v1/completions", stopped);
      }
      case 5 -> cancelStream(base, key, prompt);
      default -> reject(base, key, i);
    }
  }

  private void countWhole(HttpResponse<String> response, String prompt) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    JsonNode usage = Json.MAPPER.readTree(response.body()).get("usage");
    add(usage);
    if (prompt != null) {
      promptTokensOf.put(prompt, usage.get("prompt_tokens").asLong());
    }
  }

  private void countStreamed(String base, String key, String path, ObjectNode body) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> response = http.send(request(base, key, path, body),
        HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    JsonNode usage = null;
    boolean done = false;
    for (String line : (Iterable<String>) response.body()::iterator) {
      if (line.equals("data: [DONE]")) {
        done = true;
      } else if (line.startsWith("data: ")) {
        JsonNode chunk = Json.MAPPER.readTree(line.substring(6));
        assertTrue(!chunk.has("error"), line);
        if (chunk.hasNonNull("usage")) {
          assertTrue(usage == null, "one usage chunk");
          usage = chunk.get("usage");
        }
      }
    }
    assertTrue(done && usage != null, "the stream ended with a usage chunk and [DONE]");
    add(usage);
  }

  /** A text-completion stream whose client reads a few content chunks and closes the connection. */
  private void cancelStream(String base, String key, String prompt) throws Exception {
    Long prompted = promptTokensOf.get(prompt);
    assertTrue(prompted != null, "a whole completion of this prompt came first");
    ObjectNode body = completion(prompt, CANCELLED_MAX_TOKENS);
    body.put("stream", true);
    byte[] json = Json.bytes(body);
    URI uri = URI.create(base);
    int chunks = 0;
    try (RawHttpConnection client = RawHttpConnection.open(uri.getHost(), uri.getPort(), 10_000)) {
      client.post("/v1/completions", key, json);
      RawHttpConnection.Head head = client.readHead();
      assertTrue(head != null && head.status() == 200, "status " + (head == null ? null : head.statusLine()));
      for (String data = client.nextSseData(); data != null && chunks < CANCEL_AFTER_CHUNKS;
          data = client.nextSseData()) {
        if (data.startsWith("{")
            && !Json.MAPPER.readTree(data).path("choices").path(0).path("text").asText().isEmpty()) {
          chunks++; // a chunk with text carries at least one token
        }
      }
    }
    numCounted++;
    numCancelled++;
    cancelledChunksRead += chunks;
    promptTokens += prompted;
  }

  private void reject(String base, String key, int i) throws Exception {
    HttpResponse<String> response;
    if ((i / 7) % 2 == 0) {
      ObjectNode bad = completion("Once", 5);
      bad.put("temperature", 7);
      response = post(base, key, "/v1/completions", bad);
      assertEquals(400, response.statusCode(), response.body());
    } else {
      ObjectNode unknown = chat("Hi", 5);
      unknown.put("model", "no-such-model");
      response = post(base, key, "/v1/chat/completions", unknown);
      assertEquals(404, response.statusCode(), response.body());
    }
    numRejected++;
  }

  private void add(JsonNode usage) {
    numCounted++;
    promptTokens += usage.get("prompt_tokens").asLong();
    completionTokens += usage.get("completion_tokens").asLong();
    assertEquals(usage.get("prompt_tokens").asLong() + usage.get("completion_tokens").asLong(),
        usage.get("total_tokens").asLong());
  }

  private static ObjectNode completion(String prompt, int maxTokens) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", MODEL).put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0);
    return body;
  }

  private static ObjectNode chat(String content, int maxTokens) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", MODEL).put("max_tokens", maxTokens).put("temperature", 0.8).put("seed", 7);
    body.putArray("messages").addObject().put("role", "user").put("content", content);
    return body;
  }

  private static ObjectNode withUsage(ObjectNode body) {
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    return body;
  }

  private HttpRequest request(String base, String key, String path, ObjectNode body) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
  }

  private HttpResponse<String> post(String base, String key, String path, ObjectNode body) throws Exception {
    return http.send(request(base, key, path, body), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String url, String key) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return Json.MAPPER.readTree(response.body());
  }

  private String createKey(String base) throws Exception {
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/keys"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"usage-e2e\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    return Json.MAPPER.readTree(created.body()).get("key").asText();
  }

  private static String baseUrl(ServeCommand.Serving serving) {
    return serving.server().baseUrl();
  }

  private static ServeCommand.Serving start(Path dataDir, Path config) throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(),
        "--config", config.toString(), "--model", MODEL + "=" + TestModels.stories260k());
    ServeCommand.Serving serving = command.start();
    eventually(Duration.ofSeconds(60), () -> assertTrue(
        serving.registry().find(MODEL).map(ServedModel::isReady).orElse(false),
        "model did not load: " + serving.registry().pending()));
    return serving;
  }

  /**
   * Waits for dropped streams to be noticed, adds this server's counters to the run's, then stops gracefully
   * (which flushes usage) and starts again on the same store.
   */
  private void restart(Path dataDir, Path config) throws Exception {
    awaitIdle(serving);
    scrapeMetrics(baseUrl(serving));
    stop(serving);
    serving = null;
    serving = start(dataDir, config);
  }

  private static void awaitIdle(ServeCommand.Serving serving) {
    eventually(Duration.ofSeconds(20),
        () -> assertEquals(0, serving.server().numInFlight(), "requests still in flight"));
  }

  /** Adds the model's token counters and its dropped-stream count from {@code GET /metrics} to the run's. */
  private void scrapeMetrics(String base) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    for (String line : response.body().split("\n")) {
      if (line.startsWith("#") || !line.contains("model=\"" + MODEL + "\"")) {
        continue;
      }
      String name = line.substring(0, line.indexOf('{'));
      long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      switch (name) {
        case "robin_prompt_tokens_total" -> metricPromptTokens += value;
        case "robin_completion_tokens_total" -> metricCompletionTokens += value;
        case "robin_model_generated_tokens_total" -> metricGeneratedTokens += value;
        case "robin_completion_requests_total" -> {
          if (line.contains("outcome=\"client_disconnected\"")) {
            metricDisconnected += value;
          }
        }
        default -> { }
      }
    }
  }

  private static void stop(ServeCommand.Serving serving) throws Exception {
    awaitIdle(serving);
    serving.system().terminate();
    serving.system().getWhenTerminated().toCompletableFuture().get();
  }
}
