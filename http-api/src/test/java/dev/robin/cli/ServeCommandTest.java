package dev.robin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  @Test
  void serveIsASubcommandWithItsFlags() {
    CommandLine serve = RobinCli.commandLine().getSubcommands().get("serve");
    for (String option : new String[] {"--host", "--port", "--model", "--config", "--data-dir"}) {
      assertTrue(serve.getCommandSpec().findOption(option) != null, option);
    }
  }

  @Test
  void flagsOverrideTheConfigFileWhichOverridesTheDefaults(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("robin.conf");
    Files.writeString(conf, "robin.server { port = 1, max-request-bytes = 1 KiB, models = [\"a=synthetic:tiny\"] }");
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--config", conf.toString(), "--port", "0", "--model", "m=/nowhere",
        "--host", "127.0.0.1");
    ServeCommand.Serving serving = command.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = serving.server().baseUrl();
      // No model launcher in this module: the model is listed as failed and health says no model serves.
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, health.statusCode());
      JsonNode model = Json.MAPPER.readTree(health.body()).get("models").get(0);
      assertEquals("m", model.get("id").asText());
      assertEquals("failed", model.get("status").asText());
      // The file's body limit holds.
      HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + "a".repeat(2000) + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(413, big.statusCode());
    } finally {
      serving.system().terminate();
      serving.system().getWhenTerminated().toCompletableFuture().join();
    }
  }
}
