package dev.robin.app.e2e;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.robin.api.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bin/robin serve --model stories=…/stories260k} end to end with the real engine, through the OpenAI
 * Java SDK: greedy text equals llama2.c's reference output, streams equal whole responses, usage adds up.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealServer.Resolver.class)
class RealModelE2ETest {

  private RealServer server;
  private OpenAIClient client;
  private JsonNode goldenCases;

  @BeforeAll
  void start(RealServer server) {
    this.server = server;
    client = server.client();
    goldenCases = server.goldenCases();
  }

  /** The golden file's output_text is the reference: llama2.c printed it, we must print the same. */
  @Test
  void greedyCompletionOfEachGoldenPromptIsTheReferenceText() {
    for (JsonNode c : goldenCases) {
      int outputTokens = c.get("output_ids").size();
      Completion completion = client.completions().create(greedy(c));
      CompletionChoice choice = completion.choices().get(0);
      assertEquals(c.get("output_text").asText(), choice.text(), "prompt \"" + c.get("prompt").asText() + "\"");
      assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
      assertEquals(outputTokens, completion.usage().orElseThrow().completionTokens());
      assertEquals(c.get("prompt_ids").size(), completion.usage().orElseThrow().promptTokens());
    }
  }

  @Test
  void streamedGreedyCompletionOfEachGoldenPromptIsTheReferenceText() {
    for (JsonNode c : goldenCases) {
      StringBuilder streamed = new StringBuilder();
      List<CompletionChoice.FinishReason> finishes = new ArrayList<>();
      try (StreamResponse<Completion> stream = client.completions().createStreaming(greedy(c))) {
        stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
          streamed.append(ch.text());
          ch._finishReason().asKnown().ifPresent(finishes::add);
        }));
      }
      assertEquals(c.get("output_text").asText(), streamed.toString(), "prompt \"" + c.get("prompt").asText() + "\"");
      assertEquals(List.of(CompletionChoice.FinishReason.LENGTH), finishes);
    }
  }

  private static CompletionCreateParams greedy(JsonNode goldenCase) {
    return CompletionCreateParams.builder().model(CompletionCreateParams.Model.of(RealServer.MODEL))
        .prompt(goldenCase.get("prompt").asText()).maxTokens(goldenCase.get("output_ids").size()).temperature(0.0)
        .build();
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
    AtomicReference<JsonNode> today = new AtomicReference<>();
    // usage is written in batches (robin.store.usage.flush-interval)
    eventually(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/usage"))
              .header("Authorization", "Bearer " + server.key()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode data = Json.MAPPER.readTree(r.body()).get("data");
      assertTrue(data != null && data.size() > 0 && data.get(0).get("completion_tokens").asLong() >= completionTokens,
          "usage never showed the completion: " + data);
      today.set(data.get(0));
    });
    assertTrue(today.get().get("requests").asLong() >= 1);
  }

  @Test
  void healthReportsTheRealReplica() throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    JsonNode model = Json.MAPPER.readTree(r.body()).get("models").get(0);
    assertEquals("stories", model.get("id").asText());
    assertEquals("ready", model.get("status").asText());
    assertTrue(model.get("device").asText().startsWith("cpu"));
    assertEquals("MKL packed SGEMM", model.get("projections").asText(), "float32 on the CPU, flags from the build");
  }
}
