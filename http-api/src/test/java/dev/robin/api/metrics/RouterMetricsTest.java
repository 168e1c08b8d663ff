package dev.robin.api.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.model.ServedModel;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.router.ReplicaRouter;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The router's counters on {@code /metrics}: a model served through a real {@link ReplicaRouter} over two fake
 * replicas (which publish no loads, so the router weighs only what it sent), asked twice for the same long prompt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterMetricsTest {

  private static final String MODEL = "routed";
  /** One token per character with the fake tokenizer: two full blocks of 16 (conf/application.conf) and more. */
  private static final String PROMPT = "abcdefghijklmnopqrstuvwxyz0123456789";

  private TestServer server;
  private FakeModel first;
  private FakeModel second;

  @BeforeAll
  void start() {
    server = new TestServer();
    first = new FakeModel(MODEL, FakeModel.Script.of(server.ids("Hello world!")));
    second = new FakeModel(MODEL, FakeModel.Script.of(server.ids("Hello world!")));
    ActorRef<ModelActor.Command> a =
        server.system.systemActorOf(first.behavior(), "routed-a", DispatcherSelector.blocking());
    ActorRef<ModelActor.Command> b =
        server.system.systemActorOf(second.behavior(), "routed-b", DispatcherSelector.blocking());
    ActorRef<ModelActor.Generate> router =
        server.system.systemActorOf(ReplicaRouter.create(MODEL, List.of(a, b)), "router-routed", Props.empty());
    server.registry.register(new ServedModel(
        MODEL, 1_700_000_000L, "robin", 256, 2, server.tokenizer, null, router, first.stats::get));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void metricsCountRequestsRoutedAndThoseThatWentWhereTheirPrefixWent() {
    String body = "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":2}";
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = server.post("/v1/completions", body);
      assertEquals(200, r.statusCode(), r.body());
    }
    // The second went where the first did: one request more there than on the idle replica is close enough.
    int toFirst = first.generates().size();
    int toSecond = second.generates().size();
    assertEquals(2, Math.max(toFirst, toSecond), toFirst + " and " + toSecond);
    assertEquals(0, Math.min(toFirst, toSecond), toFirst + " and " + toSecond);

    String text = server.get("/metrics").body();
    assertTrue(text.contains("# TYPE robin_router_requests_total counter"), text);
    assertEquals(2, counter(text, "robin_router_requests_total", MODEL), text);
    assertEquals(1, counter(text, "robin_router_prefix_remembered_total", MODEL), text);
    assertEquals(1, counter(text, "robin_router_prefix_affinity_total", MODEL), text);
    assertEquals(0, counter(text, "robin_router_requests_total", TestServer.MODEL), "the fake model has no router");
  }

  private static long counter(String text, String name, String model) {
    String prefix = name + "{model=\"" + model + "\"} ";
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return (long) Double.parseDouble(line.substring(prefix.length()));
      }
    }
    throw new AssertionError(prefix + "missing:\n" + text);
  }
}
