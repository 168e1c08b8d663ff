package dev.robin.app.e2e;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.robin.api.json.Json;
import dev.robin.api.model.ServedModel;
import dev.robin.engine.testkit.TestModels;
import dev.robin.serving.stats.ModelStats;
import dev.robin.app.cli.ServeCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import picocli.CommandLine;

/**
 * One real {@code robin serve --model stories=…/stories260k} (port 0, a temporary data directory) shared by every
 * e2e test class of the run: loading the model is most of an e2e class's time. Test classes get it with
 * {@code @ExtendWith(RealServer.Resolver.class)} and a {@code RealServer} parameter; it stops when the run ends.
 */
final class RealServer implements ExtensionContext.Store.CloseableResource {

  static final String MODEL = "stories";

  private final Path dataDir;
  private final ServeCommand.Serving serving;
  private final String key;
  private final OpenAIClient client;
  private final JsonNode golden;

  private RealServer(String modelId, String modelPath) throws Exception {
    dataDir = Files.createTempDirectory("robin-e2e");
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(),
        "--model", modelId + "=" + modelPath);
    serving = command.start();
    eventually(Duration.ofSeconds(60), () -> assertTrue(
        serving.registry().find(modelId).map(ServedModel::isReady).orElse(false),
        "model did not load: " + serving.registry().pending()));
    // A key of our own, as a user would get one (the SDK always sends one, and a wrong one is a 401).
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/keys"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"e2e\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    key = Json.MAPPER.readTree(created.body()).get("key").asText();
    client = OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
    golden = Json.MAPPER.readTree(TestModels.stories260kGoldenFile().toFile());
  }

  /**
   * A server of its own for {@code modelPath} (e.g. {@code synthetic:tiny}), for a class that needs another model;
   * the class closes it.
   */
  static RealServer serving(String modelId, String modelPath) throws Exception {
    return new RealServer(modelId, modelPath);
  }

  String baseUrl() {
    return serving.server().baseUrl();
  }

  int port() {
    return URI.create(baseUrl()).getPort();
  }

  String key() {
    return key;
  }

  OpenAIClient client() {
    return client;
  }

  /** The golden file's {@code cases}: prompt, prompt_ids, output_ids, output_text. */
  JsonNode goldenCases() {
    return golden.get("cases");
  }

  /** Requests the HTTP layer is still serving (their request actors alive). */
  int numInFlight() {
    return serving.server().numInFlight();
  }

  /** Polls the model's statistics until {@code condition} holds; fails the test after {@code within}. */
  ModelStats awaitStats(Predicate<ModelStats> condition, Duration within) {
    AtomicReference<ModelStats> stats = new AtomicReference<>();
    eventually(within, () -> {
      stats.set(model().currentStats());
      assertTrue(condition.test(stats.get()), "not within " + within + ": " + stats.get());
    });
    return stats.get();
  }

  ServedModel model() {
    return serving.registry().find(MODEL).orElseThrow();
  }

  @Override
  public void close() throws IOException {
    client.close();
    serving.system().terminate();
    serving.system().getWhenTerminated().toCompletableFuture().join();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Resolves {@code RealServer} parameters with the run's single instance, started on first use. */
  static final class Resolver implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == RealServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.create(RealServer.class))
          .getOrComputeIfAbsent(RealServer.class, k -> start(), RealServer.class);
    }

    private static RealServer start() {
      try {
        return new RealServer(MODEL, TestModels.stories260k().toString());
      } catch (Exception e) {
        throw new IllegalStateException("the real server did not start", e);
      }
    }
  }
}
