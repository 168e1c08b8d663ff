package dev.robin.app.cluster;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.testkit.TestModels;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two real Robin processes on loopback, both serving stories260k, form one cluster: a node sends requests to the
 * other's replica too, and either node may be killed with {@code kill -9} while the other keeps serving (split
 * brain resolver: keep-oldest, down-if-alone).
 */
@Tag("cluster")
class TwoNodeClusterTest {

  private static final String MODEL = "stories";
  private static final Duration LOAD = Duration.ofSeconds(120);

  private RobinProcess oldest;
  private RobinProcess youngest;

  @BeforeEach
  void startTwoNodes() {
    List<String> serve = List.of("--model", MODEL + "=" + TestModels.stories260k());
    oldest = RobinProcess.create("oldest");
    youngest = RobinProcess.create("youngest");
    oldest.start(oldest.seedAddress(), serve);
    oldest.awaitReady(MODEL, 1, LOAD);
    youngest.start(oldest.seedAddress(), serve);
    youngest.awaitReady(MODEL, 2, LOAD);
    oldest.awaitReady(MODEL, 2, LOAD);
  }

  @AfterEach
  void stopNodes() throws Exception {
    try (RobinProcess a = oldest; RobinProcess b = youngest) {
      // both stopped and their data removed
    }
  }

  @Test
  void requestsToOneNodeAreServedByBothNodesReplicas() throws Exception {
    // The other node's replica is routed to once the receptionist's listing has been gossiped (a few seconds).
    eventually(Duration.ofSeconds(30), () -> assertEquals(2, oldest.clusterReplicas(MODEL), oldest.health().toString()));
    long before = youngest.localRequests(MODEL);
    for (HttpResponse<String> r : burst(oldest, 8)) {
      assertEquals(200, r.statusCode(), r.body());
    }
    eventually(Duration.ofSeconds(5), () -> assertTrue(youngest.localRequests(MODEL) > before,
        "the other node's replica took none of the requests sent to " + oldest.name));
  }

  /** {@code n} whole completions sent to {@code node} at once. */
  private static List<HttpResponse<String>> burst(RobinProcess node, int n) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      sent.add(CompletableFuture.supplyAsync(() -> {
        try {
          return node.complete(MODEL, "Once upon a time " + k, 48);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> r : sent) {
      answers.add(r.get());
    }
    return answers;
  }

  @Test
  void theYoungestSurvivesTheOldestsKill() throws Exception {
    survives(youngest, oldest);
  }

  @Test
  void theOldestSurvivesTheYoungestsKill() throws Exception {
    survives(oldest, youngest);
  }

  private static void survives(RobinProcess survivor, RobinProcess victim) throws Exception {
    eventually(Duration.ofSeconds(30), () -> assertEquals(2, survivor.clusterReplicas(MODEL)));
    assertEquals(200, survivor.complete(MODEL, "Once upon a time", 8).statusCode());
    victim.kill();
    long killedAt = System.nanoTime();
    // New requests are served by the survivor's own replica as soon as the dead one is unreachable.
    eventually(Duration.ofSeconds(10), () -> {
      HttpResponse<String> r;
      try {
        r = survivor.complete(MODEL, "The dog", 8, Duration.ofSeconds(2));
      } catch (java.io.IOException e) {
        throw new AssertionError("no answer within 2 s: " + e);
      }
      assertEquals(200, r.statusCode(), r.body());
    });
    assertTrue(System.nanoTime() - killedAt < Duration.ofSeconds(15).toNanos());
    eventually(Duration.ofSeconds(10), () -> assertEquals(1, survivor.clusterReplicas(MODEL),
        "the dead node's replica is no longer routed to"));
    // The split brain resolver downs the dead node, not the survivor.
    eventually(Duration.ofSeconds(40), () -> {
      var health = survivor.health();
      assertEquals(1, RobinProcess.upMembers(health), health.toString());
    });
    HttpResponse<String> after = survivor.complete(MODEL, "The cat", 8);
    assertEquals(200, after.statusCode(), after.body() + "\n" + survivor.logTail());
  }
}
