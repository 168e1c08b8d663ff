package dev.robin.serving.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.serving.stats.ModelStats;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message between a request actor and a replica serializes with Jackson CBOR (never Java serialization)
 * and comes back equal, so it can cross nodes.
 */
class WireFormatTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("wire-format");
    serialization = SerializationExtension.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Object roundTrip(Object message) {
    var serializer = serialization.findSerializerFor(message);
    assertEquals("jackson-cbor", serializationName(serializer.identifier()), message.getClass().getName());
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    assertArrayEquals(bytes, serialization.serialize(back).get(), "the copy serializes to the same bytes");
    return back;
  }

  private static String serializationName(int id) {
    return testKit.system().settings().config().getConfig("pekko.actor.serialization-identifiers").root()
        .unwrapped().entrySet().stream()
        .filter(e -> ((Number) e.getValue()).intValue() == id)
        .map(e -> testKit.system().settings().config().getConfig("pekko.actor.serializers").root().unwrapped()
            .entrySet().stream().filter(s -> s.getValue().equals(e.getKey())).map(java.util.Map.Entry::getKey)
            .findFirst().orElse(e.getKey()))
        .findFirst().orElse("id " + id);
  }

  @Test
  void generateCarriesTheWholeRequestAndItsReplyAddress() {
    TestProbe<GenerationEvent> requester = testKit.createTestProbe(GenerationEvent.class);
    SamplingParams sampling = new SamplingParams(
        0.7, 0.9, 40, 1234L, 0.5, -0.5, 3, LogitBias.of(new int[] {7, 3}, new float[] {2.5f, -100f}))
        .withMinTokens(2).withMinP(0.05).withRepetitionPenalty(1.3);
    GenerationRequest request = new GenerationRequest("chatcmpl-1-0", new int[] {1, 2, 3}, sampling, 16, true);
    ModelActor.Generate back = assertInstanceOf(
        ModelActor.Generate.class, roundTrip(new ModelActor.Generate(request, requester.getRef())));
    assertEquals(requester.getRef(), back.replyTo());
    assertEquals("chatcmpl-1-0", back.request().id());
    assertArrayEquals(new int[] {1, 2, 3}, back.request().promptIds());
    assertEquals(sampling, back.request().sampling());
    assertEquals(16, back.request().maxTokens());
    assertEquals(true, back.request().ignoreEos());
    for (OutputConstraint constraint : List.of(OutputConstraint.jsonSchema("{\"type\":\"integer\"}"),
        OutputConstraint.jsonObject(), OutputConstraint.regex("[a-z]+"), OutputConstraint.choice(List.of("x", "y")))) {
      SamplingParams constrained = SamplingParams.GREEDY.withConstraint(constraint);
      assertEquals(constrained, assertInstanceOf(ModelActor.Generate.class, roundTrip(new ModelActor.Generate(
          GenerationRequest.of("c", new int[] {1}, constrained, 4), requester.getRef()))).request().sampling());
    }
    assertEquals(SamplingParams.GREEDY, assertInstanceOf(ModelActor.Generate.class, roundTrip(
        new ModelActor.Generate(GenerationRequest.of("g", new int[] {1}, SamplingParams.GREEDY, 1),
            requester.getRef()))).request().sampling());
  }

  @Test
  void cancelAndReadinessCrossNodes() {
    assertEquals(new ModelActor.Cancel("r-1"), roundTrip(new ModelActor.Cancel("r-1")));
    TestProbe<ModelActor.Readiness> launcher = testKit.createTestProbe(ModelActor.Readiness.class);
    assertEquals(launcher.getRef(),
        assertInstanceOf(ModelActor.WhenReady.class, roundTrip(new ModelActor.WhenReady(launcher.getRef())))
            .replyTo());
    ReplicaId replica = new ReplicaId("stories", 1);
    assertEquals(new ModelActor.Ready(replica, "mkl packed sgemm"), roundTrip(new ModelActor.Ready(replica, "mkl packed sgemm")));
    assertEquals(new ModelActor.LoadFailed(replica, "no weights"), roundTrip(new ModelActor.LoadFailed(replica, "no weights")));
  }

  @Test
  void everyGenerationEventCrossesNodes() {
    TestProbe<ModelActor.Command> replica = testKit.createTestProbe(ModelActor.Command.class);
    assertEquals(new GenerationEvent.Accepted("a", replica.getRef()),
        roundTrip(new GenerationEvent.Accepted("a", replica.getRef())));
    assertEquals(new GenerationEvent.Routed("a", replica.getRef()),
        roundTrip(new GenerationEvent.Routed("a", replica.getRef())));
    assertEquals(new GenerationEvent.Started("a", 32), roundTrip(new GenerationEvent.Started("a", 32)));
    SampledToken plain = SampledToken.of(5);
    SampledToken withLogprobs = new SampledToken(9, -0.25f, new int[] {9, 4}, new float[] {-0.25f, -1.5f});
    GenerationEvent.Tokens tokens = assertInstanceOf(GenerationEvent.Tokens.class,
        roundTrip(new GenerationEvent.Tokens("a", 7, List.of(plain, withLogprobs))));
    assertEquals(7, tokens.seq());
    assertEquals(new ModelActor.TokensHandled("a", 7), roundTrip(new ModelActor.TokensHandled("a", 7)));
    assertEquals(5, tokens.tokens().get(0).tokenId());
    assertEquals(Float.NaN, tokens.tokens().get(0).logprob());
    assertArrayEquals(new int[] {9, 4}, tokens.tokens().get(1).topIds());
    assertArrayEquals(new float[] {-0.25f, -1.5f}, tokens.tokens().get(1).topLogprobs());
    assertEquals(new GenerationEvent.Finished("a", FinishReason.LENGTH, 10, 16, 8),
        roundTrip(new GenerationEvent.Finished("a", FinishReason.LENGTH, 10, 16, 8)));
    GenerationEvent.Rejected rejected = new GenerationEvent.Rejected(
        "a", new Rejection(Rejection.Reason.CONTEXT_LENGTH_EXCEEDED, "too long"));
    assertEquals(rejected, roundTrip(rejected));
    assertEquals(new GenerationEvent.Failed("a", "oops"), roundTrip(new GenerationEvent.Failed("a", "oops")));
  }

  @Test
  void loadsAndModelCardsCrossNodes() {
    TestProbe<ModelActor.Command> replica = testKit.createTestProbe(ModelActor.Command.class);
    ReplicaLoad load = new ReplicaLoad(
        replica.getRef(), new ReplicaId("stories", 2), "gpu(1)", ModelStats.Status.READY, 3, 5, 0.25);
    assertEquals(load, roundTrip(load));
    ReplicaLoad failed = ReplicaLoad.withoutEngine(
        replica.getRef(), new ReplicaId("stories", 0), "cpu()", ModelStats.Status.FAILED);
    assertEquals(failed, roundTrip(failed));
    TestProbe<ModelCard> catalog = testKit.createTestProbe(ModelCard.class);
    assertEquals(catalog.getRef(),
        assertInstanceOf(ModelActor.Describe.class, roundTrip(new ModelActor.Describe(catalog.getRef()))).replyTo());
    byte[] tokenizer = {0, 1, 2, (byte) 0xff};
    ModelCard card = assertInstanceOf(ModelCard.class, roundTrip(
        new ModelCard("stories", 512, Map.of("tokenizer.json", tokenizer, "tokenizer_config.json", new byte[0]))));
    assertEquals("stories", card.modelId());
    assertEquals(512, card.maxModelLen());
    assertArrayEquals(tokenizer, card.textFiles().get("tokenizer.json"));
    assertEquals(0, card.textFiles().get("tokenizer_config.json").length);
    assertEquals(true, card.hasText());
    assertEquals(false, ModelCard.withoutText("x", 8).hasText());
  }
}
