package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.model.ServedModel;
import dev.robin.api.testkit.FakeChatTemplate;
import dev.robin.api.testkit.TestServer;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.stats.ModelStats;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Model actors that never answer or die mid-request: the client still gets a proper answer, quickly. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelFailureTest {

  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer("robin.server.admission-timeout = 300ms");
    register("mute", Behaviors.ignore());
    // Admits, sends one token, then stops (a crashed replica).
    register("dying", Behaviors.setup(context -> Behaviors.receive(ModelActor.Command.class)
        .onMessage(ModelActor.Generate.class, g -> {
          String id = g.request().id();
          g.replyTo().tell(new GenerationEvent.Accepted(id, context.getSelf()));
          g.replyTo().tell(new GenerationEvent.Started(id, 0));
          g.replyTo().tell(new GenerationEvent.Tokens(id, 1,
              List.of(dev.robin.engine.sampling.SampledToken.of(server.tokenizer.id("Hello")))));
          return Behaviors.stopped();
        })
        .build()));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void register(String id, Behavior<ModelActor.Command> behavior) {
    ActorRef<ModelActor.Command> ref = server.system.systemActorOf(behavior, "model-" + id, Props.empty());
    ModelStats ready = new ModelStats(id, "cpu()", "test kernel", ModelStats.Status.READY, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        dev.robin.serving.stats.StepStats.EMPTY);
    server.registry.register(new ServedModel(id, 1, "robin", 64, 1, server.tokenizer, new FakeChatTemplate(), ref.narrow(),
        () -> ready));
  }

  @Test
  void aModelThatNeverAdmitsIs503AfterTheAdmissionTimeout() {
    for (boolean stream : new boolean[] {false, true}) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = server.post("/v1/completions",
          "{\"model\":\"mute\",\"prompt\":\"a\",\"stream\":" + stream + "}");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("server_overloaded", TestServer.json(r).get("error").get("code").asText());
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
    }
  }

  @Test
  void aReplicaThatDiesMidStreamEndsTheStreamWithARetryableError() {
    HttpResponse<String> r = server.post("/v1/completions", "{\"model\":\"dying\",\"prompt\":\"a\",\"stream\":true}");
    assertEquals(200, r.statusCode());
    List<JsonNode> events = TestServer.sseEvents(r.body());
    assertEquals("Hello", events.get(0).get("choices").get(0).get("text").asText());
    assertEquals("server_overloaded", events.get(events.size() - 1).get("error").get("code").asText());
  }
}
