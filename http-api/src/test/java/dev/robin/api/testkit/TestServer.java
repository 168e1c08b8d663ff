package dev.robin.api.testkit;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.robin.engine.chat.ChatTemplate;
import dev.robin.api.json.Json;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelEngineFactory;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.ModelStatsBoard;
import dev.robin.api.server.RobinServer;
import dev.robin.api.config.ServerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The real server on a free loopback port, serving {@link FakeModel}s with the {@link FakeTokenizer}:
 * {@code fake} (context 64 tokens, a chat template) and whatever a test adds.
 */
public final class TestServer implements AutoCloseable {

  public static final String MODEL = "fake";
  public static final int CONTEXT = 64;
  /** What the default script says: "Hello world! The end." then EOS. */
  public static final String SCRIPT_TEXT = "Hello world! The end.";

  public final ActorSystem<Void> system;
  public final ModelRegistry registry = new ModelRegistry();
  public final FakeTokenizer tokenizer = new FakeTokenizer();
  public final FakeModel model;
  public final RobinServer server;
  public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public TestServer() {
    this("");
  }

  /** {@code overrides}: HOCON layered over conf/application.conf (e.g. a smaller body limit). */
  public TestServer(String overrides) {
    this(overrides, b -> b);
  }

  /** With {@code customize} applied to the server's builder (a guard, extra routes). */
  public TestServer(String overrides, java.util.function.UnaryOperator<RobinServer.Builder> customize) {
    Config config =
        ConfigFactory.parseString("robin.server.port = 0\nrobin.server.host = \"127.0.0.1\"\n" + overrides)
            .withFallback(ConfigFactory.load())
            .resolve();
    system = ActorSystem.create(Behaviors.empty(), "test-" + System.nanoTime(), config);
    model = new FakeModel(MODEL, FakeModel.Script.of(ids(SCRIPT_TEXT)));
    addModel(MODEL, model, CONTEXT, true);
    server =
        customize.apply(RobinServer.builder(system, ServerSettings.from(config), registry))
            .start()
            .toCompletableFuture()
            .join();
  }

  public List<Integer> ids(String text) {
    return java.util.Arrays.stream(tokenizer.encode(text, false)).boxed().toList();
  }

  /** Registers a fake model (on the blocking dispatcher, as a real pinned model would run). */
  public ActorRef<ModelActor.Command> addModel(String id, FakeModel fake, int context, boolean withTemplate) {
    return addModel(id, fake, context, withTemplate ? new FakeChatTemplate() : null);
  }

  /** Registers a fake model with its own chat template (null for none). */
  public ActorRef<ModelActor.Command> addModel(String id, FakeModel fake, int context, ChatTemplate template) {
    fake.setMaxModelLen(context);
    ActorRef<ModelActor.Command> ref =
        system.systemActorOf(fake.behavior(), "model-" + id + "-" + System.nanoTime(), DispatcherSelector.blocking());
    registry.register(
        new ServedModel(id, 1_700_000_000L, "robin", context, 1, tokenizer,
            template, ref.narrow(), fake.stats::get));
    return ref;
  }

  /**
   * Registers model {@code id} served by one real replica (its {@link ModelActor} around the engine {@code factory}
   * builds, pinned) publishing on {@code board}, and waits until it is ready.
   */
  public ActorRef<ModelActor.Command> addReplica(String id, ModelEngineFactory factory, ModelStatsBoard board) {
    ActorRef<ModelActor.Command> ref = system.systemActorOf(
        ModelActor.create(new ReplicaId(id, 0), "cpu()", factory, board), "model-" + id, ModelActor.PROPS);
    registry.register(
        new ServedModel(id, 1_700_000_000L, "robin", 512, 1, tokenizer, null, ref.narrow(),
            () -> board.summary(id).orElse(ModelStats.loading(id, "cpu()"))));
    // The replica builds its engine on its own thread: until it has, the model is loading and requests get 503.
    eventually(Duration.ofSeconds(10), () -> assertEquals(ModelStats.Status.READY,
        board.summary(id).map(ModelStats::status).orElse(ModelStats.Status.LOADING)));
    return ref;
  }

  public String url(String path) {
    return server.baseUrl() + path;
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET().build());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** The JSON payloads of an SSE body, in order, without [DONE] (asserted to be last) and comments. */
  public static List<JsonNode> sseEvents(String body) {
    List<String> events = sseData(body);
    if (events.isEmpty() || !events.get(events.size() - 1).equals("[DONE]")) {
      throw new AssertionError("stream does not end with [DONE]: " + body);
    }
    return events.subList(0, events.size() - 1).stream()
        .map(
            e -> {
              try {
                return Json.MAPPER.readTree(e);
              } catch (IOException ex) {
                throw new AssertionError("bad event: " + e, ex);
              }
            })
        .toList();
  }

  /** The {@code data:} payloads of an SSE body; asserts every event is {@code data: …\n\n} or a comment. */
  public static List<String> sseData(String body) {
    List<String> out = new java.util.ArrayList<>();
    for (String event : body.split("\n\n", -1)) {
      if (event.isEmpty()) {
        continue;
      }
      if (event.startsWith(":")) {
        continue;
      }
      if (!event.startsWith("data: ") || event.contains("\n")) {
        throw new AssertionError("malformed SSE event: [" + event + "]");
      }
      out.add(event.substring("data: ".length()));
    }
    return out;
  }

  @Override
  public void close() {
    system.terminate(); // runs CoordinatedShutdown, which unbinds and drains the server
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
