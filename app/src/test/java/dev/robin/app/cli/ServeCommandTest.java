package dev.robin.app.cli;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void serveIsASubcommandWithItsFlags() {
    CommandLine serve = RobinCli.commandLine().getSubcommands().get("serve");
    for (String option : new String[] {"--host", "--port", "--model", "--config", "--data-dir", "--seed-node"}) {
      assertTrue(serve.getCommandSpec().findOption(option) != null, option);
    }
  }

  @Test
  void flagsOverrideTheConfigFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("robin.conf");
    Files.writeString(conf, "robin.server { port = 1, max-request-bytes = 1 KiB, models = [\"a=synthetic:tiny\"] }");
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--config", conf.toString(), "--port", "0", "--model", "m=/nowhere",
        "--host", "127.0.0.1", "--data-dir", dir.resolve("data").toString());
    ServeCommand.Serving serving = command.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = serving.server().baseUrl();
      // The model path does not exist: it is listed as failed and health says no model serves.
      AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
      eventually(Duration.ofSeconds(10), () -> {
        last.set(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
            HttpResponse.BodyHandlers.ofString()));
        assertNotEquals("loading", Json.MAPPER.readTree(last.get().body()).get("models").get(0).get("status").asText());
      });
      HttpResponse<String> health = last.get();
      JsonNode model = Json.MAPPER.readTree(health.body()).get("models").get(0);
      assertEquals(503, health.statusCode());
      assertEquals("m", model.get("id").asText());
      assertEquals("failed", model.get("status").asText());
      assertTrue(model.get("error").asText().contains("/nowhere"), model.toString());
      // The file's body limit holds.
      HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + "a".repeat(2000) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(413, big.statusCode());
      assertTrue(Files.isDirectory(dir.resolve("data")), "the store lives under --data-dir");
    } finally {
      serving.system().terminate();
      serving.system().getWhenTerminated().toCompletableFuture().join();
    }
  }
}
