package dev.robin.api.auth;

import dev.robin.accounts.testing.SingleNodeCluster;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.robin.api.json.Json;
import com.typesafe.config.ConfigFactory;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.api.testkit.FakeChatTemplate;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.FakeTokenizer;
import dev.robin.api.server.RobinServer;
import dev.robin.api.config.ServerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The real server with {@link AuthServices} on an embedded store in {@code dataDir}, on a one-node cluster, serving
 * one fake model {@code fake}.
 */
final class AuthTestServer implements AutoCloseable {

  static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  final ActorSystem<Void> system;
  final AuthServices auth;
  final RobinServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  AuthTestServer(Path dataDir, String overrides) {
    Config config = ConfigFactory.parseString("""
            robin.server.port = 0
            robin.server.host = "127.0.0.1"
            robin.store.embedded.data-dir = "%s"
            robin.store.keys.admin-token = "%s"
            robin.store.usage.flush-interval = 50ms
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.coordinated-shutdown.exit-jvm = off
            """.formatted(dataDir.toString().replace("\\", "/"), ADMIN_TOKEN) + overrides)
        .withFallback(ConfigFactory.load())
        .resolve();
    system = ActorSystem.create(Behaviors.empty(), "auth-" + System.nanoTime(), config);
    SingleNodeCluster.join(system); // as the app does: a one-node cluster, up when join returns
    auth = AuthServices.start(system, config);
    ModelRegistry registry = new ModelRegistry();
    FakeTokenizer tokenizer = new FakeTokenizer();
    FakeModel model = new FakeModel("fake", FakeModel.Script.of(
        Arrays.stream(tokenizer.encode("Hello world! The end.", false)).boxed().toList()));
    registry.register(new ServedModel("fake", 1_700_000_000L, "robin", 64, 1, tokenizer, new FakeChatTemplate(),
        system.systemActorOf(model.behavior(), "model-fake", DispatcherSelector.blocking()).narrow(),
        model.stats::get));
    server = RobinServer.builder(system, ServerSettings.from(config), registry)
        .guard(auth.guard())
        .extraApiRoutes(auth.routes())
        .start()
        .toCompletableFuture()
        .join();
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(20));
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A response's body as JSON; not JSON is a test failure. */
  static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  @Override
  public void close() {
    server.stop().toCompletableFuture().join();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
