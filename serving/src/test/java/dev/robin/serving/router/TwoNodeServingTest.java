package dev.robin.serving.router;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.load.ModelText;
import dev.robin.engine.testkit.TestModels;
import dev.robin.serving.catalog.ClusterModels;
import dev.robin.serving.catalog.ModelCatalog;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.RobinTestConfig;
import dev.robin.serving.stats.ModelStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two cluster nodes in one JVM, talking over Artery on loopback (every message really serialized): a router on
 * node A serves requests with a replica that lives on node B, and stops sending there once B is gone.
 */
class TwoNodeServingTest {

  private static final String CLUSTER_CONFIG = """
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.hostname = "127.0.0.1"
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.exit-jvm = off
      """;

  private ActorTestKit nodeA;
  private ActorTestKit nodeB;

  @BeforeEach
  void startTwoNodes() {
    nodeA = ActorTestKit.create("robin", RobinTestConfig.load(CLUSTER_CONFIG));
    nodeB = ActorTestKit.create("robin", RobinTestConfig.load(CLUSTER_CONFIG));
    Cluster a = Cluster.get(nodeA.system());
    a.manager().tell(Join.create(a.selfMember().address()));
    Cluster b = Cluster.get(nodeB.system());
    b.manager().tell(Join.create(a.selfMember().address()));
    eventually(Duration.ofSeconds(20), () -> {
      assertEquals(MemberStatus.up(), a.selfMember().status());
      assertEquals(MemberStatus.up(), b.selfMember().status());
      assertEquals(2, a.state().members().size());
    });
  }

  @AfterEach
  void stopNodes() {
    if (nodeB != null) {
      nodeB.shutdownTestKit();
    }
    nodeA.shutdownTestKit();
  }

  private static GenerationRequest request(String id, int maxTokens) {
    return GenerationRequest.of(id, new int[] {1, 2, 3}, SamplingParams.GREEDY, maxTokens);
  }

  /** Sends until the router knows a replica (the listing travels by gossip), then returns the request's events. */
  private static List<GenerationEvent> generateUntilServed(ActorTestKit node, ActorRef<ModelActor.Generate> router) {
    TestProbe<GenerationEvent> probe = node.createTestProbe(GenerationEvent.class);
    int[] attempt = {0};
    eventually(Duration.ofSeconds(15), () -> {
      String id = "r" + attempt[0]++;
      router.tell(new ModelActor.Generate(request(id, 6), probe.getRef()));
      GenerationEvent.Routed routed =
          assertInstanceOf(GenerationEvent.Routed.class, probe.receiveMessage(Duration.ofSeconds(5)));
      GenerationEvent.Accepted accepted =
          assertInstanceOf(GenerationEvent.Accepted.class, probe.receiveMessage(Duration.ofSeconds(5)));
      assertEquals(routed.replica(), accepted.replica(), "accepted where it was routed");
    });
    return probe.fishForMessage(Duration.ofSeconds(10), e -> e instanceof GenerationEvent.Finished
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndCollect());
  }

  @Test
  void aRouterOnOneNodeServesWithAReplicaOnAnother() {
    ActorRef<ModelActor.Command> replicaOnB = TestReplicas.spawn(nodeB, "m", 0, 0);
    ActorRef<ModelActor.Generate> routerOnA = nodeA.spawn(ReplicaRouter.create("m"), "router-m");
    List<GenerationEvent> events = generateUntilServed(nodeA, routerOnA);
    GenerationEvent.Finished finished = assertInstanceOf(GenerationEvent.Finished.class, events.get(events.size() - 1));
    assertEquals(FinishReason.LENGTH, finished.reason());
    assertEquals(6, finished.completionTokens());
    long tokens = events.stream().filter(e -> e instanceof GenerationEvent.Tokens)
        .mapToLong(e -> ((GenerationEvent.Tokens) e).tokens().size()).sum();
    assertEquals(6, tokens, "every token crossed the nodes, in order");
    assertNotEquals(nodeA.system().address(), replicaOnB.path().address(), "the replica is B's");
    var seenFromA = ReplicaDirectory.get(nodeA.system()).replicas("m");
    assertEquals(1, seenFromA.size(), seenFromA.toString());
    assertEquals(nodeB.system().address().toString(), seenFromA.get(0).node());
    assertEquals(false, seenFromA.get(0).local());
  }

  @Test
  void aReplicaWhoseNodeLeftIsNoLongerRoutedTo() {
    TestReplicas.spawn(nodeB, "m", 0, 0);
    ActorRef<ModelActor.Generate> routerOnA = nodeA.spawn(ReplicaRouter.create("m"), "router-m");
    generateUntilServed(nodeA, routerOnA);
    nodeB.shutdownTestKit();
    nodeB = null;
    TestProbe<GenerationEvent> probe = nodeA.createTestProbe(GenerationEvent.class);
    eventually(Duration.ofSeconds(20), () -> {
      routerOnA.tell(new ModelActor.Generate(request("after-" + System.nanoTime(), 2), probe.getRef()));
      GenerationEvent.Rejected rejected =
          assertInstanceOf(GenerationEvent.Rejected.class, probe.receiveMessage(Duration.ofSeconds(5)));
      assertEquals(Rejection.Reason.UNAVAILABLE, rejected.rejection().reason());
    });
    // A replica on A takes over as soon as it is listed.
    TestReplicas.spawn(nodeA, "m", 1, 0);
    generateUntilServed(nodeA, routerOnA);
  }

  @Test
  void aNodeWithoutTheModelLearnsItsTextAndItsReplicasFromTheCluster() throws Exception {
    // Qwen3's 11 MB tokenizer: the card takes Artery's large-message channel.
    Path tokenizerDir = TestModels.qwen3Tokenizer();
    ModelCard card = new ModelCard("m", 4096, ModelText.readFiles(tokenizerDir));
    ActorRef<ModelActor.Command> replicaOnB = TestReplicas.spawn(nodeB, "m", 0, 0, card);
    CompletableFuture<ModelText> discovered = new CompletableFuture<>();
    TestProbe<ModelCard> cards = nodeA.createTestProbe(ModelCard.class);
    AtomicInteger calls = new AtomicInteger();
    ModelCatalog.start(nodeA.system(), Set.of(), (received, text) -> {
      calls.incrementAndGet();
      cards.getRef().tell(received);
      discovered.complete(text);
    });
    ModelCard received = cards.receiveMessage(Duration.ofSeconds(30));
    assertEquals(4096, received.maxModelLen());
    try (ModelText text = discovered.get(5, TimeUnit.SECONDS); ModelText local = ModelText.open(tokenizerDir)) {
      String prompt = "Robin routes 请求 across nodes";
      assertArrayEquals(local.tokenizer().encode(prompt, false), text.tokenizer().encode(prompt, false));
    }
    var replicas = ClusterModels.get(nodeA.system()).replicas("m");
    assertEquals(1, replicas.size(), replicas.toString());
    assertEquals(nodeB.system().address().toString(), replicas.get(0).node());
    assertEquals(false, replicas.get(0).local());
    assertEquals("cpu()", replicas.get(0).device());
    assertEquals(ModelStats.Status.READY, replicas.get(0).status());
    assertEquals(new ClusterModels.Counts(1, 0, 0), ClusterModels.get(nodeA.system()).counts("m"));
    // A replica that stops is counted out at once (its last report says so), not when its reports expire.
    nodeB.stop(replicaOnB);
    eventually(Duration.ofMillis(1500), () ->
        assertEquals(List.of(), ClusterModels.get(nodeA.system()).replicas("m")));
    assertEquals(1, calls.get(), "described once");
  }

  @Test
  void aModelConfiguredOnTheNodeIsListedButNotDescribed() {
    TestReplicas.spawn(nodeB, "m", 0, 0, new ModelCard("m", 64, ModelText.readFiles(TestModels.stories260k())));
    TestProbe<String> discovered = nodeA.createTestProbe(String.class);
    ModelCatalog.start(nodeA.system(), Set.of("m"), (card, text) -> discovered.getRef().tell(card.modelId()));
    eventually(Duration.ofSeconds(15), () ->
        assertEquals(1, ClusterModels.get(nodeA.system()).counts("m").ready()));
    discovered.expectNoMessage(Duration.ofSeconds(1));
  }
}
