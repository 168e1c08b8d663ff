package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every response shape the official OpenAI Java SDK reads, produced by the real engine (not the fake model):
 * models, chat and text completions whole and streamed, {@code include_usage}, {@code n}, {@code stop}, and
 * errors as the SDK's typed exceptions.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealServer.Resolver.class)
class RealModelSdkE2ETest {

  private static final ChatCompletionStreamOptions WITH_USAGE =
      ChatCompletionStreamOptions.builder().includeUsage(true).build();

  private OpenAIClient client;

  @BeforeAll
  void start(RealServer server) {
    client = server.client();
  }

  @Test
  void modelsAreListedAndRetrieved() {
    List<Model> models = client.models().list().data();
    assertEquals(List.of(RealServer.MODEL), models.stream().map(Model::id).toList());
    Model one = client.models().retrieve(RealServer.MODEL);
    assertEquals(RealServer.MODEL, one.id());
    assertTrue(one.created() > 0);
    NotFoundException missing = assertThrows(NotFoundException.class, () -> client.models().retrieve("nope"));
    assertEquals(404, missing.statusCode());
    assertEquals("model_not_found", missing.code().orElseThrow());
  }

  @Test
  void chatCompletionWholeAndStreamedWithUsage() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(RealServer.MODEL)
        .addUserMessage("Tell me a story about a dog.").maxCompletionTokens(24).temperature(0.0).build();
    ChatCompletion whole = client.chat().completions().create(params);
    ChatCompletion.Choice choice = whole.choices().get(0);
    String wholeText = choice.message().content().orElseThrow();
    assertFalse(wholeText.isBlank());
    assertTrue(whole.id().startsWith("chatcmpl-"), whole.id());
    assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
    assertEquals(24, whole.usage().orElseThrow().completionTokens());

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    StringBuilder streamed = new StringBuilder();
    int contentChunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params.toBuilder().streamOptions(WITH_USAGE).build())) {
      stream.stream().forEach(chunks::add);
    }
    for (ChatCompletionChunk chunk : chunks) {
      assertEquals(chunks.get(0).id(), chunk.id());
      for (ChatCompletionChunk.Choice c : chunk.choices()) {
        String delta = c.delta().content().orElse("");
        streamed.append(delta);
        contentChunks += delta.isEmpty() ? 0 : 1;
      }
    }
    assertEquals(wholeText, streamed.toString());
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
    // ASCII text: each token is one content delta, so the usage counts exactly what was streamed.
    assertEquals(contentChunks, last.usage().orElseThrow().completionTokens());
    assertEquals(whole.usage().orElseThrow().promptTokens(), last.usage().orElseThrow().promptTokens());
    assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH,
        chunks.get(chunks.size() - 2).choices().get(0).finishReason().orElseThrow());
  }

  @Test
  void textCompletionWholeAndStreamedWithUsage() {
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of(RealServer.MODEL)).prompt("The cat sat").maxTokens(20)
        .temperature(0.0).build();
    Completion whole = client.completions().create(params);
    assertTrue(whole.id().startsWith("cmpl-"), whole.id());
    String wholeText = whole.choices().get(0).text();
    assertFalse(wholeText.isBlank());
    assertEquals(20, whole.usage().orElseThrow().completionTokens());

    List<Completion> chunks = new ArrayList<>();
    try (StreamResponse<Completion> stream =
        client.completions().createStreaming(params.toBuilder().streamOptions(WITH_USAGE).build())) {
      stream.stream().forEach(chunks::add);
    }
    StringBuilder streamed = new StringBuilder();
    int contentChunks = 0;
    for (Completion chunk : chunks) {
      for (CompletionChoice c : chunk.choices()) {
        streamed.append(c.text());
        contentChunks += c.text().isEmpty() ? 0 : 1;
      }
    }
    assertEquals(wholeText, streamed.toString());
    Completion last = chunks.get(chunks.size() - 1);
    assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
    assertEquals(contentChunks, last.usage().orElseThrow().completionTokens());
    assertEquals(whole.usage().orElseThrow().promptTokens(), last.usage().orElseThrow().promptTokens());
  }

  @Test
  void nGivesIndependentChoicesAndUsageCountsThemAll() {
    ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(RealServer.MODEL).addUserMessage("Tell me a story.").maxCompletionTokens(30).temperature(1.0)
        .seed(7L).n(2).build());
    assertEquals(2, c.choices().size());
    assertEquals(List.of(0L, 1L), c.choices().stream().map(ChatCompletion.Choice::index).toList());
    String first = c.choices().get(0).message().content().orElseThrow();
    String second = c.choices().get(1).message().content().orElseThrow();
    assertFalse(first.isBlank());
    assertFalse(second.isBlank());
    assertFalse(first.equals(second), "two samples of 30 tokens at temperature 1 differ: " + first);
    assertEquals(60, c.usage().orElseThrow().completionTokens());
  }

  @Test
  void stopStringEndsTheTextWholeAndStreamed() {
    CompletionCreateParams params = CompletionCreateParams.builder()
        .model(CompletionCreateParams.Model.of(RealServer.MODEL)).prompt("Once upon a time").maxTokens(40)
        .temperature(0.0).build();
    String full = client.completions().create(params).choices().get(0).text();
    String stop = "Lily"; // greedy: ", there was a little girl named Lily. ..."
    int at = full.indexOf(stop);
    assertTrue(at > 0, full);
    CompletionCreateParams stopped = params.toBuilder().stop(stop).build();
    CompletionChoice cut = client.completions().create(stopped).choices().get(0);
    assertEquals(full.substring(0, at), cut.text());
    assertEquals(CompletionChoice.FinishReason.STOP, cut.finishReason());

    StringBuilder streamed = new StringBuilder();
    List<CompletionChoice.FinishReason> finishes = new ArrayList<>();
    try (StreamResponse<Completion> stream = client.completions().createStreaming(stopped)) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
        streamed.append(ch.text());
        ch._finishReason().asKnown().ifPresent(finishes::add);
      }));
    }
    assertEquals(full.substring(0, at), streamed.toString());
    assertEquals(List.of(CompletionChoice.FinishReason.STOP), finishes);
  }

  @Test
  void unknownModelIsATypedNotFound() {
    NotFoundException e = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
        ChatCompletionCreateParams.builder().model("no-such-model").addUserMessage("hi").build()));
    assertEquals(404, e.statusCode());
    assertEquals("model_not_found", e.code().orElseThrow());
    assertEquals("invalid_request_error", e.type().orElseThrow());
    assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
  }

  @Test
  void outOfRangeParameterIsATypedBadRequestNamingIt() {
    BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
        ChatCompletionCreateParams.builder().model(RealServer.MODEL).addUserMessage("hi").temperature(5.0).build()));
    assertEquals(400, e.statusCode());
    assertEquals("temperature", e.param().orElseThrow());
    assertEquals("invalid_request_error", e.type().orElseThrow());
  }
}
