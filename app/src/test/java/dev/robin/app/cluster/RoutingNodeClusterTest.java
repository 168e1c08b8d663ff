package dev.robin.app.cluster;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.json.Json;
import dev.robin.engine.testkit.TestModels;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node that hosts no replica of a model ({@code ROBIN_REPLICAS=0}) serves it through the replica of another real
 * Robin process; when that process is killed, the routing node answers a retryable 503 instead of waiting.
 */
@Tag("cluster")
class RoutingNodeClusterTest {

  private static final String MODEL = "stories";

  private RobinProcess host;
  private RobinProcess router;

  @AfterEach
  void stopNodes() throws Exception {
    try (RobinProcess a = host; RobinProcess b = router) {
      // both stopped and their data removed
    }
  }

  @Test
  void aNodeWithoutReplicasRoutesToAnotherNodesReplica() throws Exception {
    List<String> serve = List.of("--model", MODEL + "=" + TestModels.stories260k());
    host = RobinProcess.create("host");
    router = RobinProcess.create("router");
    // The checks below poll fast: the unauthenticated limit (150 per IP) must not answer them.
    Map<String, String> unlimited = Map.of("ROBIN_RATE_LIMITS_ENABLED", "false");
    host.start(host.seedAddress(), serve, unlimited);
    host.awaitReady(MODEL, 1, Duration.ofSeconds(120));
    router.start(host.seedAddress(), serve, Map.of("ROBIN_REPLICAS", "0", "ROBIN_RATE_LIMITS_ENABLED", "false"));
    // Ready once its router sees the host's replica.
    router.awaitReady(MODEL, 2, Duration.ofSeconds(120));
    var seen = RobinProcess.modelNode(router.health(), MODEL).path("cluster_replicas");
    assertEquals(1, seen.size(), seen.toString());
    assertEquals(false, seen.get(0).path("local").asBoolean(), seen.toString());

    long before = host.localRequests(MODEL);
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = router.complete(MODEL, "Once upon a time " + i, 16);
      assertEquals(200, r.statusCode(), r.body());
    }
    eventually(Duration.ofSeconds(5), () -> assertEquals(before + 4, host.localRequests(MODEL)));

    host.kill();
    eventually(Duration.ofSeconds(10), () -> {
      HttpResponse<String> r;
      try {
        r = router.complete(MODEL, "The dog", 8, Duration.ofSeconds(2));
      } catch (java.io.IOException e) {
        throw new AssertionError("no answer within 2 s: " + e);
      }
      assertEquals(503, r.statusCode(), r.body());
      var error = Json.MAPPER.readTree(r.body()).path("error");
      assertEquals("server_overloaded", error.path("code").asText(), r.body());
      assertTrue(error.path("message").asText().toLowerCase(java.util.Locale.ROOT).contains("no replica"), r.body());
      assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
    });
  }
}
