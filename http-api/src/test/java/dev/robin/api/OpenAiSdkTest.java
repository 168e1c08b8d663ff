package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.robin.api.testkit.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official OpenAI Java SDK parses every response shape Robin produces (against the fake model). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkTest {

  private TestServer server;
  private OpenAIClient client;

  @BeforeAll
  void start() {
    server = new TestServer();
    client = OpenAIOkHttpClient.builder().baseUrl(server.url("/v1")).apiKey("unused").maxRetries(0).build();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void chatCompletion() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("fake").addUserMessage("hi").maxCompletionTokens(3).logprobs(true).topLogprobs(1).build());
    assertEquals("Hello world!", c.choices().get(0).message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().get(0).finishReason());
    assertEquals(3, c.usage().orElseThrow().completionTokens());
    assertEquals(3, c.choices().get(0).logprobs().orElseThrow().content().orElseThrow().size());
    assertTrue(c.systemFingerprint().orElseThrow().startsWith("fp_"));
  }

  @Test
  void chatStreamWithUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("fake").addUserMessage("hi").n(2)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        chunks.add(chunk);
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().content().ifPresent(texts[(int) choice.index()]::append);
        }
      });
    }
    assertEquals(TestServer.SCRIPT_TEXT, texts[0].toString());
    assertEquals(TestServer.SCRIPT_TEXT, texts[1].toString());
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertTrue(last.choices().isEmpty());
    assertEquals(2L * (server.ids(TestServer.SCRIPT_TEXT).size() + 1), last.usage().orElseThrow().completionTokens());
  }

  @Test
  void textCompletion() {
    Completion c = client.completions().create(CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of("fake")).prompt("Say:").maxTokens(2).echo(true).logprobs(1).build());
    assertEquals("Say:Hello world", c.choices().get(0).text());
    assertEquals(2, c.choices().get(0).logprobs().orElseThrow().tokens().orElseThrow().size());
  }

  @Test
  void errorsCarryTypeCodeAndParam() {
    OpenAIServiceException notFound = assertThrows(OpenAIServiceException.class,
        () -> client.chat().completions().create(
            ChatCompletionCreateParams.builder().model("nope").addUserMessage("hi").build()));
    assertEquals(404, notFound.statusCode());
    assertEquals("model_not_found", notFound.code().orElseThrow());
    OpenAIServiceException bad = assertThrows(OpenAIServiceException.class,
        () -> client.chat().completions().create(
            ChatCompletionCreateParams.builder().model("fake").addUserMessage("hi").temperature(3.0).build()));
    assertEquals(400, bad.statusCode());
    assertEquals("temperature", bad.param().orElseThrow());
    assertEquals("invalid_request_error", bad.type().orElseThrow());
  }

  @Test
  void modelsList() {
    assertEquals("fake", client.models().list().data().get(0).id());
    assertEquals("fake", client.models().retrieve("fake").id());
  }
}
