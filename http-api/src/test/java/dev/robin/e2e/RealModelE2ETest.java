package dev.robin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.robin.api.json.Json;
import dev.robin.api.model.ServedModel;
import dev.robin.cli.ServeCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/robin serve --model stories=…/stories260k} end to end with the real engine, through the OpenAI
 * Java SDK: greedy text equals llama2.c's reference output, streams equal whole responses, usage adds up.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealModelE2ETest {

  private ServeCommand.Serving serving;
  private OpenAIClient client;
  private String key;
  private JsonNode golden;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.toString(),
        "--model", "stories=" + SharedData.stories260k());
    serving = command.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (serving.registry().find("stories").map(ServedModel::isReady).orElse(false) == Boolean.FALSE) {
      assertTrue(System.nanoTime() < deadline, "model did not load: " + serving.registry().pending());
      Thread.sleep(50);
    }
    // A key of our own, as a user would get one (the SDK always sends one, and a wrong one is a 401).
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(serving.server().baseUrl() + "/api/v1/keys"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"e2e\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    key = Json.MAPPER.readTree(created.body()).get("key").asText();
    client = OpenAIOkHttpClient.builder()
        .baseUrl(serving.server().baseUrl() + "/v1").apiKey(key).maxRetries(0).build();
    golden = Json.MAPPER.readTree(SharedData.golden().toFile());
  }

  @AfterAll
  void stop() {
    if (serving != null) {
      serving.system().terminate();
      serving.system().getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void greedyCompletionMatchesTheReference() {
    ServedModel model = serving.registry().find("stories").orElseThrow();
    for (JsonNode c : golden.get("cases")) {
      int[] out = new int[c.get("output_ids").size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = c.get("output_ids").get(i).asInt();
      }
      Completion completion = client.completions().create(CompletionCreateParams.builder()
          .model(CompletionCreateParams.Model.of("stories")).prompt(c.get("prompt").asText())
          .maxTokens(out.length).temperature(0.0).build());
      CompletionChoice choice = completion.choices().get(0);
      assertEquals(model.tokenizer().decode(out, true), choice.text(), "prompt \"" + c.get("prompt").asText() + "\"");
      assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
      assertEquals(out.length, completion.usage().orElseThrow().completionTokens());
      assertEquals(c.get("prompt_ids").size(), completion.usage().orElseThrow().promptTokens());
    }
  }

  @Test
  void streamedChatEqualsTheWholeResponse() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("stories").addUserMessage("Tell me a story about a cat.").maxCompletionTokens(40).temperature(0.0)
        .build();
    ChatCompletion whole = client.chat().completions().create(params);
    String wholeText = whole.choices().get(0).message().content().orElseThrow();
    assertFalse(wholeText.isEmpty());
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }
    assertEquals(wholeText, streamed.toString());
  }

  @Test
  void seededSamplingIsReproducibleAndStopStringsCut() {
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of("stories")).prompt("Once upon a time").maxTokens(30)
        .temperature(0.9).seed(42L).n(2).build();
    Completion a = client.completions().create(params);
    Completion b = client.completions().create(params);
    assertEquals(a.choices().get(0).text(), b.choices().get(0).text());
    assertEquals(a.choices().get(1).text(), b.choices().get(1).text());
    String text = a.choices().get(0).text();
    String stop = text.substring(5, 8);
    Completion cut = client.completions().create(params.toBuilder().n(1).stop(stop).build());
    String cutText = cut.choices().get(0).text();
    assertTrue(text.startsWith(cutText), cutText + " | " + text);
    assertFalse(cutText.contains(stop));
    assertEquals(CompletionChoice.FinishReason.STOP, cut.choices().get(0).finishReason());
  }

  @Test
  void usageOfTheKeyIsRecorded() throws Exception {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of("stories")).prompt("Once upon a time").maxTokens(5).build());
    long completionTokens = c.usage().orElseThrow().completionTokens();
    assertEquals(5, completionTokens);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode today = null;
    while (System.nanoTime() < deadline) { // usage is written in batches (robin.store.usage.flush-interval)
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(serving.server().baseUrl() + "/api/v1/usage"))
              .header("Authorization", "Bearer " + key).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode data = Json.MAPPER.readTree(r.body()).get("data");
      if (data != null && data.size() > 0 && data.get(0).get("completion_tokens").asLong() >= completionTokens) {
        today = data.get(0);
        break;
      }
      Thread.sleep(200);
    }
    assertTrue(today != null, "usage never showed the completion");
    assertTrue(today.get("requests").asLong() >= 1);
  }

  @Test
  void healthReportsTheRealReplica() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(serving.server().baseUrl() + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    JsonNode model = Json.MAPPER.readTree(r.body()).get("models").get(0);
    assertEquals("stories", model.get("id").asText());
    assertEquals("ready", model.get("status").asText());
    assertTrue(model.get("device").asText().startsWith("cpu"));
  }
}
