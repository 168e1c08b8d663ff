package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.model.ServedModel;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.RawHttpConnection;
import dev.robin.api.testkit.TestServer;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelActor;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A client that leaves mid-stream gets its sequences cancelled promptly. */
class DisconnectTest {

  private TestServer server;

  @BeforeEach
  void start() {
    server = new TestServer();
    // Endless tokens every 20 ms: only a cancel ends these sequences before 1000 tokens.
    server.model.setScript(FakeModel.Script.of(server.ids("Hello world")).repeating().withInterval(Duration.ofMillis(20)));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void disconnectAfterThreeChunksCancelsWithinOneSecond() throws Exception {
    String body = "{\"model\":\"fake\",\"stream\":true,\"n\":2,\"max_tokens\":1000,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    long closedAt;
    try (RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 10_000)) {
      client.post("/v1/chat/completions", null, body);
      RawHttpConnection.Head head = client.readHead();
      assertEquals(200, head.status(), head.statusLine());
      assertEquals(3, client.skipSseEvents(3));
      closedAt = System.nanoTime();
    }
    List<String> sequences = server.model.generates().stream().map(GenerationRequest::id).toList();
    assertEquals(2, sequences.size());
    eventually(Duration.ofSeconds(1), () -> assertEquals(2, cancelled().size(), "both sequences cancelled"));
    List<FakeModel.Received> cancels = cancelled();
    assertEquals(2, cancels.size(), "both sequences cancelled within 1 s of the disconnect");
    for (FakeModel.Received c : cancels) {
      assertTrue(c.nanoTime() - closedAt < Duration.ofSeconds(1).toNanos());
      assertTrue(sequences.contains(((ModelActor.Cancel) c.command()).requestId()));
    }
    // The model released them: its published stats show nothing running and two cancellations.
    eventually(Duration.ofSeconds(1), () -> assertEquals(0, server.model.stats.get().numRunning()));
    assertEquals(2, server.model.stats.get().numCancelledTotal());
    // and the request actor is gone.
    eventually(Duration.ofSeconds(2), () -> assertEquals(0, server.server.numInFlight()));
  }

  @Test
  void aStreamWhoseClientLeavesBeforeItIsAdmittedIsCancelledWhenAReplicaAdmitsIt() throws Exception {
    // A model that has not admitted the request yet (a full queue, a shard on a slow node): no event until the
    // test lets it admit. The stream's response starts only on admission, so only the connection can tell the
    // client left; the request actor cancels at the replica that names itself in Accepted.
    java.util.Queue<Object> commands = new java.util.concurrent.ConcurrentLinkedQueue<>();
    record AdmitNow() implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}
    AdmitNow admitNow = new AdmitNow();
    ActorRef<Object> silent = server.system.systemActorOf(
        Behaviors.setup(context -> {
          ActorRef<ModelActor.Command> self = context.getSelf().narrow();
          java.util.List<ModelActor.Generate> held = new java.util.ArrayList<>();
          return Behaviors.receive(Object.class)
              .onMessage(ModelActor.Generate.class, g -> {
                commands.add(g);
                held.add(g);
                return Behaviors.same();
              })
              .onMessage(ModelActor.Cancel.class, c -> {
                commands.add(c);
                return Behaviors.same();
              })
              .onMessageEquals(admitNow, () -> {
                held.forEach(g -> g.replyTo().tell(new GenerationEvent.Accepted(g.request().id(), self)));
                return Behaviors.same();
              })
              .build();
        }),
        "silent-model", org.apache.pekko.actor.typed.Props.empty());
    server.registry.register(new ServedModel("silent", 1_700_000_000L, "robin", TestServer.CONTEXT, 1,
        server.tokenizer, null, silent.narrow(), new FakeModel("silent", FakeModel.Script.of(List.of())).stats::get));
    RawHttpConnection client = RawHttpConnection.open("127.0.0.1", server.server.port(), 5_000);
    client.post("/v1/completions", null, "{\"model\":\"silent\",\"stream\":true,\"prompt\":\"hi\"}");
    eventually(Duration.ofSeconds(5), () -> assertEquals(1, commands.size()));
    assertTrue(commands.peek() instanceof ModelActor.Generate, commands.toString());
    client.close();
    // The request actor learns that the client left: the client is served, only the model's answer is awaited.
    eventually(Duration.ofSeconds(2), () -> assertEquals(0, server.server.numInFlight()));
    long admittedAt = System.nanoTime();
    silent.tell(admitNow);
    eventually(Duration.ofSeconds(1), () -> assertEquals(2, commands.size()));
    assertTrue(System.nanoTime() - admittedAt < Duration.ofSeconds(1).toNanos(), "cancelled as soon as admitted");
    assertEquals(((ModelActor.Generate) commands.peek()).request().id(),
        ((ModelActor.Cancel) List.copyOf(commands).get(1)).requestId());
  }

  private List<FakeModel.Received> cancelled() {
    return server.model.received.stream().filter(r -> r.command() instanceof ModelActor.Cancel).toList();
  }
}
