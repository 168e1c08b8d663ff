package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.robin.api.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Structured output through the official OpenAI Java SDK against the real server and model (stories260k, a model
 * that has never seen JSON): a JSON Schema in response_format gives documents that parse and validate, whole and
 * streamed, at temperature 1.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealServer.Resolver.class)
class StructuredOutputE2ETest {

  private OpenAIClient client;

  @BeforeAll
  void connect(RealServer server) {
    client = server.client();
  }

  private static ChatCompletionCreateParams personRequest(long seed) {
    ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of(
            "name", Map.of("type", "string", "maxLength", 10),
            "age", Map.of("type", "integer", "minimum", 0, "maximum", 120),
            "likes", Map.of("type", "array", "items", Map.of("enum", List.of("cats", "dogs", "tea")),
                "maxItems", 3))))
        .putAdditionalProperty("required", JsonValue.from(List.of("name", "age", "likes")))
        .putAdditionalProperty("additionalProperties", JsonValue.from(false))
        .build();
    return ChatCompletionCreateParams.builder()
        .model(RealServer.MODEL)
        .addUserMessage("Tell me about a person.")
        .responseFormat(ResponseFormatJsonSchema.builder()
            .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("person").schema(schema).build())
            .build())
        .temperature(1.0)
        .seed(seed)
        .maxCompletionTokens(200)
        .build();
  }

  private static void assertPerson(String content) throws Exception {
    JsonNode doc = Json.MAPPER.readTree(content);
    assertEquals(3, doc.size(), content);
    assertTrue(doc.get("name").isTextual() && doc.get("name").textValue().length() <= 10, content);
    assertTrue(doc.get("age").isInt() && doc.get("age").intValue() >= 0 && doc.get("age").intValue() <= 120, content);
    assertTrue(doc.get("likes").isArray() && doc.get("likes").size() <= 3, content);
    for (JsonNode like : doc.get("likes")) {
      assertTrue(List.of("cats", "dogs", "tea").contains(like.asText()), content);
    }
  }

  @Test
  void aJsonSchemaGivesValidDocumentsWholeAndStreamed() throws Exception {
    for (long seed = 1; seed <= 5; seed++) {
      ChatCompletion whole = client.chat().completions().create(personRequest(seed));
      String content = whole.choices().get(0).message().content().orElseThrow();
      assertPerson(content);
      assertEquals(ChatCompletion.Choice.FinishReason.STOP, whole.choices().get(0).finishReason());
      StringBuilder streamed = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(personRequest(seed))) {
        stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
      }
      assertEquals(content, streamed.toString(), "the same seed streams the same document");
    }
  }
}
