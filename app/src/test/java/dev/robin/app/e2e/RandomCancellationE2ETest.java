package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import dev.robin.api.testkit.RawHttpConnection;
import dev.robin.serving.stats.ModelStats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 200 streamed completions and chat completions of the real model, each abandoned by its client at a random
 * point (right after sending, after the response headers, after a few chunks) while up to 12 run at once: the
 * block pool ends exactly full again, every admitted request is counted as cancelled, and the prefix cache
 * still yields the reference greedy text.
 */
@Tag("e2e")
@ExtendWith(RealServer.Resolver.class)
class RandomCancellationE2ETest {

  private static final int NUM_REQUESTS = 200;
  private static final int CONCURRENCY = 12;
  private static final long SEED = 20261126L;

  /** How a client leaves its stream. */
  private enum Exit {
    BEFORE_FIRST_BYTE,
    AFTER_HEADERS,
    AFTER_CHUNKS
  }

  /** What one client saw before it closed its connection. */
  private record Outcome(Exit exit, int status, int chunks, boolean sawEnd) {}

  private record Plan(boolean chat, String system, String user, int maxTokens, Exit exit, int chunks,
      int delayMillis) {}

  @Test
  void twoHundredRandomlyCancelledStreamsLeaveTheBlockPoolExactlyFull(RealServer server) throws Exception {
    // A key of its own: 200 requests would eat most of the shared key's 500 per 15 min.
    String key = createKey(server);
    JsonNode goldenCases = server.goldenCases();
    // Shared prefix: two reference texts themselves (~140 tokens, several full 16-token blocks).
    StringBuilder prefixBuilder = new StringBuilder();
    LinkedHashSet<String> vocabulary = new LinkedHashSet<>();
    for (JsonNode c : goldenCases) {
      String text = c.get("text").asText();
      if (prefixBuilder.length() == 0 || c == goldenCases.get(1)) {
        prefixBuilder.append(text).append(' ');
      }
      for (String word : text.split("\\s+")) {
        if (!word.isBlank()) {
          vocabulary.add(word);
        }
      }
    }
    String sharedPrefix = prefixBuilder.toString().trim();
    List<String> words = new ArrayList<>(vocabulary);

    ModelStats before = server.awaitStats(s -> s.numRunning() == 0 && s.numWaiting() == 0, Duration.ofSeconds(10));
    // Greedy answer to the shared prefix before anything touched its blocks: the reference for afterwards.
    String prefixReference = greedyCompletion(server, key, sharedPrefix, 40);

    Random random = new Random(SEED);
    List<Plan> plans = new ArrayList<>();
    for (int i = 0; i < NUM_REQUESTS; i++) {
      boolean chat = random.nextBoolean();
      boolean shared = random.nextInt(3) == 0;
      // Random words are ~2.7 tokens each: long prompts of 60 to 110 words are ~160 to 300 tokens (~440 with the
      // shared prefix, under the 512 context), so some are still queued or prefilling when their client leaves.
      int numWords = random.nextInt(4) == 0 ? 60 + random.nextInt(51) : 1 + random.nextInt(30);
      StringBuilder user = new StringBuilder();
      for (int w = 0; w < numWords; w++) {
        user.append(w == 0 ? "" : " ").append(words.get(random.nextInt(words.size())));
      }
      Exit exit = Exit.values()[random.nextInt(Exit.values().length)];
      plans.add(new Plan(chat, shared ? sharedPrefix : null, user.toString(), 100 + random.nextInt(201), exit,
          1 + random.nextInt(20), random.nextInt(30)));
    }

    Queue<String> failures = new ConcurrentLinkedQueue<>();
    List<Outcome> outcomes = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY + 1);
    // Peaks of the published statistics while the clients run: proof the run really loaded the model.
    AtomicInteger peakRunning = new AtomicInteger();
    AtomicInteger peakWaiting = new AtomicInteger();
    AtomicInteger peakBlocks = new AtomicInteger();
    AtomicBoolean clientsDone = new AtomicBoolean();
    Future<?> sampler = pool.submit(() -> {
      while (!clientsDone.get()) {
        ModelStats s = server.model().currentStats();
        peakRunning.accumulateAndGet(s.numRunning(), Math::max);
        peakWaiting.accumulateAndGet(s.numWaiting(), Math::max);
        peakBlocks.accumulateAndGet(s.numKvBlocksUsed(), Math::max);
        Thread.sleep(5);
      }
      return null;
    });
    long start = System.nanoTime();
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      AtomicInteger index = new AtomicInteger();
      for (Plan plan : plans) {
        futures.add(pool.submit(() -> {
          int i = index.getAndIncrement();
          try {
            return run(server, key, plan);
          } catch (Exception | AssertionError e) {
            failures.add("request " + i + " " + plan.exit() + ": " + e);
            return null;
          }
        }));
      }
      for (Future<Outcome> future : futures) {
        outcomes.add(future.get(60, TimeUnit.SECONDS));
      }
      clientsDone.set(true);
      sampler.get(5, TimeUnit.SECONDS);
    } finally {
      clientsDone.set(true);
      pool.shutdownNow();
    }
    assertTrue(failures.isEmpty(), "clients failed: " + failures);
    long clientMillis = (System.nanoTime() - start) / 1_000_000;

    ModelStats after = server.awaitStats(
        s -> s.numRunning() == 0 && s.numWaiting() == 0 && s.numKvBlocksUsed() == 0, Duration.ofSeconds(5));
    System.out.println("random cancellation: " + NUM_REQUESTS + " clients in " + clientMillis + " ms; "
        + count(outcomes, Exit.BEFORE_FIRST_BYTE) + " before the first byte, " + count(outcomes, Exit.AFTER_HEADERS)
        + " after the headers, " + count(outcomes, Exit.AFTER_CHUNKS) + " after chunks; peaks: running "
        + peakRunning + ", waiting " + peakWaiting + ", KV blocks " + peakBlocks + "; before " + before
        + "; after " + after);
    assertTrue(peakRunning.get() > 1 && peakBlocks.get() > 0,
        "sequences ran together and held blocks: running " + peakRunning + ", blocks " + peakBlocks);

    long admitted = after.numRequestsTotal() - before.numRequestsTotal() - 1; // minus the prefix reference
    long cancelled = after.numCancelledTotal() - before.numCancelledTotal();
    long generating = outcomes.stream().filter(o -> o.chunks() > 0 && !o.sawEnd()).count();
    assertTrue(outcomes.stream().noneMatch(Outcome::sawEnd), "no client read a stream to its end");
    assertTrue(generating > 0 && admitted >= generating && admitted <= NUM_REQUESTS,
        "admitted " + admitted + ", seen generating " + generating);
    // Exact: every request that reached the model was abandoned long before max_tokens (>= 100 with ignore_eos,
    // and no client read more than 20 chunks), so each one must have been cancelled, whether it was still
    // queued, prefilling or decoding. Requests closed before the server parsed them never reach the model.
    assertEquals(admitted, cancelled, "admitted requests vs cancelled sequences");

    // Nothing wrong left in the prefix cache: the shared prefix (its blocks now cached) and the golden prompts
    // still give the reference greedy text.
    assertEquals(prefixReference, greedyCompletion(server, key, sharedPrefix, 40), "shared prefix after the run");
    JsonNode golden = goldenCases.get(0);
    assertEquals(golden.get("output_text").asText(),
        greedyCompletion(server, key, golden.get("prompt").asText(), golden.get("output_ids").size()));
    server.awaitStats(s -> s.numRunning() == 0 && s.numKvBlocksUsed() == 0, Duration.ofSeconds(5));
  }

  /** Sends one streamed request over a raw socket and closes it where its plan says. */
  private static Outcome run(RealServer server, String key, Plan plan) throws IOException, InterruptedException {
    byte[] body = requestBody(plan).getBytes(StandardCharsets.UTF_8);
    String path = plan.chat() ? "/v1/chat/completions" : "/v1/completions";
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.port(), 20_000)) {
      client.post(path, key, body);
      if (plan.exit() == Exit.BEFORE_FIRST_BYTE) {
        Thread.sleep(plan.delayMillis());
        return new Outcome(plan.exit(), 0, 0, false);
      }
      RawHttpConnection.Head head = client.readHead();
      if (head == null || head.status() != 200) {
        throw new AssertionError(head == null ? "no response" : head.statusLine() + " " + client.readBody(head));
      }
      if (plan.exit() == Exit.AFTER_HEADERS) {
        return new Outcome(plan.exit(), 200, 0, false);
      }
      int chunks = 0;
      boolean sawEnd = false;
      for (String data = client.nextSseData(); data != null && chunks < plan.chunks(); data = client.nextSseData()) {
        if (data.startsWith("{")) {
          chunks++;
          sawEnd |= data.contains("\"finish_reason\":\"");
        } else if (data.startsWith("[DONE]")) {
          sawEnd = true;
          break;
        }
      }
      return new Outcome(plan.exit(), 200, chunks, sawEnd);
    }
  }

  private static String requestBody(Plan plan) throws IOException {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", RealServer.MODEL).put("stream", true).put("ignore_eos", true)
        .put("max_tokens", plan.maxTokens()).put("temperature", 0.8).put("seed", plan.maxTokens());
    if (plan.chat()) {
      ArrayNode messages = body.putArray("messages");
      if (plan.system() != null) {
        messages.addObject().put("role", "system").put("content", plan.system());
      }
      messages.addObject().put("role", "user").put("content", plan.user());
    } else {
      body.put("prompt", plan.system() == null ? plan.user() : plan.system() + " " + plan.user());
    }
    return Json.MAPPER.writeValueAsString(body);
  }

  private static String greedyCompletion(RealServer server, String key, String prompt, int maxTokens)
      throws IOException, InterruptedException {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", RealServer.MODEL).put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0)
        .put("ignore_eos", true);
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return Json.MAPPER.readTree(response.body()).get("choices").get(0).get("text").asText();
  }

  private static String createKey(RealServer server) throws IOException, InterruptedException {
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/keys"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"e2e-random-cancellation\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    return Json.MAPPER.readTree(created.body()).get("key").asText();
  }

  private static long count(List<Outcome> outcomes, Exit exit) {
    return outcomes.stream().filter(o -> o.exit() == exit).count();
  }
}
