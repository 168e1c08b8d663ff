package dev.robin.app.cluster;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.accounts.testing.CassandraNode;
import dev.robin.api.json.Json;
import dev.robin.engine.testkit.GoldenCase;
import dev.robin.engine.testkit.TestModels;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real Robin processes on loopback sharing the project's real Cassandra node: A hosts no model (it has no
 * model files at all: it learns the model's tokenizer from the cluster), B and C each host stories260k. Requests
 * sent to A are served by B and C; a key's limit holds exactly across the three; and B may be killed mid-stream
 * and come back without C's replica moving. The kill comes last: the tests share one cluster.
 */
@Tag("cluster")
@Tag("cassandra")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeNodeClusterTest {

  private static final String MODEL = "stories";
  private static final Duration START = Duration.ofSeconds(150);
  /** The limit of every key in this cluster, small enough to exhaust with one burst. */
  private static final int KEY_LIMIT = 20;

  private RobinProcess a;
  private RobinProcess b;
  private RobinProcess c;
  private Path config;
  private Map<String, String> environment;
  private List<String> serveStories;
  /** The concurrent clients (the common pool may have a single thread on a small machine). */
  private final ExecutorService clients = Executors.newFixedThreadPool(48);

  @BeforeAll
  void startThreeNodes() throws Exception {
    CassandraNode cassandra = CassandraNode.shared();
    String keyspace = "cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    config = Files.createTempFile("robin-three-nodes-", ".conf");
    Files.writeString(config, String.join("\n",
        "robin.rate-limits.unauthenticated.requests = 100000",
        "robin.rate-limits.authenticated.requests = " + KEY_LIMIT,
        // Requests queue one at a time per replica, so a burst keeps each replica busy for seconds.
        "robin.engine.scheduler.max-num-seqs = 2",
        "robin.store.cassandra.request-timeout = 20s"));
    environment = Map.of(
        "ROBIN_STORE", "cassandra",
        "ROBIN_CASSANDRA_CONTACT_POINTS", cassandra.host() + ":" + cassandra.port(),
        "ROBIN_CASSANDRA_KEYSPACE", keyspace);
    serveStories = List.of("--config", config.toString(), "--model", MODEL + "=" + TestModels.stories260k());
    a = RobinProcess.create("a");
    b = RobinProcess.create("b");
    c = RobinProcess.create("c");
    // A first: it forms the cluster and creates the keyspace, so B and C do not race it to the schema.
    a.start(a.seedAddress(), List.of("--config", config.toString(), "--no-model"), environment);
    a.awaitMembers(1, START);
    b.start(a.seedAddress(), serveStories, environment);
    c.start(a.seedAddress(), serveStories, environment);
    b.awaitReady(MODEL, 3, START);
    c.awaitReady(MODEL, 3, START);
    a.awaitReady(MODEL, 3, START);
    eventually(Duration.ofSeconds(30), () -> assertEquals(2, a.clusterReplicas(MODEL), a.health().toString()));
  }

  @AfterAll
  void stopNodes() throws Exception {
    clients.shutdownNow();
    try (RobinProcess x = a; RobinProcess y = b; RobinProcess z = c) {
      Files.deleteIfExists(config);
    }
  }

  @Test
  @Order(1)
  void fortyRequestsToTheNodeWithoutAModelAreSpreadOverTheOtherTwo() throws Exception {
    long beforeB = b.localRequests(MODEL);
    long beforeC = c.localRequests(MODEL);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int k = i;
      sent.add(CompletableFuture.supplyAsync(() -> call(() -> a.complete(MODEL, "Once upon a time " + k, 24)), clients));
      if (sent.size() % 8 == 0) {
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join(); // 8 at a time
      }
    }
    for (CompletableFuture<HttpResponse<String>> r : sent) {
      assertEquals(200, r.get().statusCode(), r.get().body());
    }
    long servedByB = b.localRequests(MODEL) - beforeB;
    long servedByC = c.localRequests(MODEL) - beforeC;
    assertEquals(40, servedByB + servedByC, "every request was served by B or C");
    assertTrue(servedByB >= 8 && servedByC >= 8, "spread over both: B " + servedByB + ", C " + servedByC);
  }

  @Test
  @Order(2)
  void theGoldensAreExactThroughTheNodeWithoutAModelStreamedAndWhole() throws Exception {
    for (GoldenCase golden : TestModels.stories260kGoldenCases()) {
      HttpResponse<String> whole = a.complete(MODEL, golden.prompt(), golden.outputIds().length);
      assertEquals(200, whole.statusCode(), whole.body());
      assertEquals(golden.outputText(), Json.MAPPER.readTree(whole.body()).at("/choices/0/text").asText(),
          "whole, prompt \"" + golden.prompt() + "\"");
      StringBuilder streamed = new StringBuilder();
      for (JsonNode event : a.streamEvents(MODEL, golden.prompt(), golden.outputIds().length)) {
        streamed.append(event.at("/choices/0/text").asText(""));
      }
      assertEquals(golden.outputText(), streamed.toString(), "streamed, prompt \"" + golden.prompt() + "\"");
    }
  }

  @Test
  @Order(3)
  void oneKeyIsAdmittedExactlyItsLimitByThreeNodesAtOnce() throws Exception {
    String key = a.createKey("limit-test");
    List<RobinProcess> nodes = List.of(a, b, c);
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      RobinProcess node = nodes.get(i % 3);
      sent.add(CompletableFuture.supplyAsync(() -> call(() -> node.complete(MODEL, "Hi", 1, key)), clients));
    }
    int admitted = 0;
    int limited = 0;
    for (CompletableFuture<HttpResponse<String>> r : sent) {
      int status = r.get().statusCode();
      admitted += status == 200 ? 1 : 0;
      limited += status == 429 ? 1 : 0;
    }
    assertEquals(KEY_LIMIT, admitted, "exactly the key's limit admitted across three nodes");
    assertEquals(48 - KEY_LIMIT, limited);
  }

  @Test
  @Order(4)
  void killingBMidStreamEndsItsRequestsRetryablyAndCKeepsServing() throws Exception {
    long cRequestsBefore = c.localRequests(MODEL);
    long bRequestsBefore = b.localRequests(MODEL);
    // Twelve long streams through A, six per replica, two running at a time on each.
    List<CompletableFuture<RobinProcess.TimedStream>> streams = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int k = i;
      streams.add(CompletableFuture.supplyAsync(
          () -> call(() -> a.timedStream(MODEL, "Tell me a story " + k, 400)), clients));
    }
    eventually(Duration.ofSeconds(20), () -> assertTrue(b.localRequests(MODEL) > bRequestsBefore + 2,
        "B has taken some of the streams"));
    b.kill();
    long killedAt = System.nanoTime();
    int failedRetryably = 0;
    long lastEndedMillis = 0;
    for (CompletableFuture<RobinProcess.TimedStream> f : streams) {
      RobinProcess.TimedStream s = f.get(60, TimeUnit.SECONDS);
      if (s.completed()) {
        continue;
      }
      assertTrue(s.retryableError(), "a stream that did not finish ended with a retryable error: " + s);
      assertTrue(s.endedNanos() - killedAt < Duration.ofSeconds(5).toNanos(),
          "ended " + (s.endedNanos() - killedAt) / 1_000_000 + " ms after the kill");
      failedRetryably++;
      lastEndedMillis = Math.max(lastEndedMillis, (s.endedNanos() - killedAt) / 1_000_000);
    }
    assertTrue(failedRetryably > 0, "B held streams when it was killed");
    // New requests are served by C within 10 s of the kill (behind what C still streams), and from then on never
    // sent to the dead replica.
    eventually(Duration.ofSeconds(10), () ->
        assertEquals(200, call(() -> a.complete(MODEL, "The dog", 8, Duration.ofSeconds(8))).statusCode()));
    long servedMillis = (System.nanoTime() - killedAt) / 1_000_000;
    assertTrue(servedMillis < 10_000, "served " + servedMillis + " ms after the kill");
    System.out.printf("kill -9 of B: %d streams ended retryably, the last %d ms after the kill; a new request was "
        + "served %d ms after it%n", failedRetryably, lastEndedMillis, servedMillis);
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = a.complete(MODEL, "The cat " + i, 8);
      assertEquals(200, r.statusCode(), r.body());
    }
    // B restarts on the same address, rejoins once its old incarnation is downed, and serves again.
    b.start(a.seedAddress(), serveStories, environment);
    b.awaitReady(MODEL, 3, START);
    eventually(Duration.ofSeconds(30), () -> assertEquals(2, a.clusterReplicas(MODEL), a.health().toString()));
    long bAfterRestart = b.localRequests(MODEL);
    eventually(Duration.ofSeconds(30), () -> {
      assertEquals(200, a.complete(MODEL, "A bird", 8).statusCode());
      assertTrue(b.localRequests(MODEL) > bAfterRestart, "the restarted B serves again");
    });
    // C's replica never moved or restarted: still C's own, its counter went on from before the kill (a replica
    // started again would count from 0) by at least the ten requests only it could serve.
    assertTrue(c.localRequests(MODEL) >= cRequestsBefore + 10,
        "C's replica kept serving and counting: " + cRequestsBefore + " → " + c.localRequests(MODEL));
    JsonNode cReplica = RobinProcess.modelNode(c.health(), MODEL);
    assertEquals(1, cReplica.path("replicas").asInt());
    assertEquals("ready", cReplica.path("status").asText());
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
