package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.robin.api.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tool calling through the official OpenAI Java SDK against the real server and a random-weight synthetic model
 * (its text is noise, its template Hermes-style): with {@code tool_choice: "required"} every answer is a call
 * whose arguments validate against the function's schema, and a whole conversation — call, tool result, final
 * answer — goes round, whole and streamed alike.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallingE2ETest {

  private static final String MODEL = "tools";
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Map<String, Object> WEATHER = Map.of(
      "type", "object",
      "properties", Map.of(
          "city", Map.of("type", "string", "minLength", 1, "maxLength", 12),
          "unit", Map.of("enum", List.of("celsius", "fahrenheit"))),
      "required", List.of("city", "unit"),
      "additionalProperties", false);
  private static final Map<String, Object> SEARCH = Map.of(
      "type", "object",
      "properties", Map.of(
          "query", Map.of("type", "string", "maxLength", 20),
          "limit", Map.of("type", "integer", "minimum", 1, "maximum", 50),
          "filters", Map.of("type", "array", "maxItems", 3, "items", Map.of("$ref", "#/$defs/filter"))),
      "required", List.of("query"),
      "additionalProperties", false,
      "$defs", Map.of("filter", Map.of(
          "type", "object",
          "properties", Map.of("field", Map.of("type", "string", "pattern", "^[a-z]{1,8}$"),
              "value", Map.of("anyOf", List.of(Map.of("type", "string", "maxLength", 8), Map.of("type", "number")))),
          "required", List.of("field", "value"),
          "additionalProperties", false)));

  private RealServer server;
  private OpenAIClient client;

  @BeforeAll
  void start() throws Exception {
    server = RealServer.serving(MODEL, "synthetic:tiny");
    client = server.client();
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private static FunctionDefinition function(String name, Map<String, Object> schema) {
    FunctionParameters.Builder parameters = FunctionParameters.builder();
    schema.forEach((k, v) -> parameters.putAdditionalProperty(k, JsonValue.from(v)));
    return FunctionDefinition.builder().name(name).description("The " + name + " function")
        .parameters(parameters.build()).build();
  }

  private static ChatCompletionCreateParams.Builder question(long seed) {
    return ChatCompletionCreateParams.builder()
        .model(MODEL)
        .addUserMessage("What is the weather in Oslo, and what do the docs say about it?")
        .addFunctionTool(function("weather", WEATHER))
        .addFunctionTool(function("search", SEARCH))
        .temperature(1.0)
        .seed(seed)
        .maxCompletionTokens(400);
  }

  private static List<ChatCompletionMessageFunctionToolCall> calls(ChatCompletion completion) {
    return completion.choices().get(0).message().toolCalls().orElse(List.of()).stream()
        .map(ChatCompletionMessageToolCall::asFunction).toList();
  }

  private static void assertValidCall(ChatCompletionMessageFunctionToolCall call) throws Exception {
    String name = call.function().name();
    assertTrue(name.equals("weather") || name.equals("search"), name);
    Schema schema = SCHEMAS.getSchema(Json.MAPPER.valueToTree(name.equals("weather") ? WEATHER : SEARCH));
    JsonNode arguments = Json.MAPPER.readTree(call.function().arguments());
    List<Error> errors = schema.validate(arguments, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
    assertTrue(errors.isEmpty(), call.function().arguments() + " is invalid: " + errors);
    assertTrue(call.id().matches("call_[A-Za-z0-9]{24}"), call.id());
  }

  @Test
  void requiredGivesAValidCallInEveryAnswer() throws Exception {
    int answers = 100;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<ChatCompletion>> futures = new ArrayList<>();
      for (int i = 0; i < answers; i++) {
        long seed = 1000 + i;
        // One call per answer: a noise model left to choose would as often add another call as close the list,
        // and run out of tokens before it ends (several calls in one answer: ToolCallingTest in http-api).
        futures.add(pool.submit(() -> client.chat().completions().create(question(seed)
            .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).parallelToolCalls(false).build())));
      }
      int withCalls = 0;
      for (Future<ChatCompletion> f : futures) {
        ChatCompletion completion = f.get();
        List<ChatCompletionMessageFunctionToolCall> calls = calls(completion);
        assertEquals(1, calls.size(), "not one tool call in " + completion);
        for (ChatCompletionMessageFunctionToolCall call : calls) {
          assertValidCall(call);
        }
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, completion.choices().get(0).finishReason());
        withCalls++;
      }
      assertEquals(answers, withCalls);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aConversationGoesRoundWholeAndStreamed() throws Exception {
    // One call, so that the noise model surely ends (several calls, streamed: ToolCallingTest in http-api).
    ChatCompletionCreateParams ask = question(7).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
        .parallelToolCalls(false).build();
    ChatCompletion whole = client.chat().completions().create(ask);
    ChatCompletion streamed = accumulate(ask);
    List<ChatCompletionMessageFunctionToolCall> wholeCalls = calls(whole);
    List<ChatCompletionMessageFunctionToolCall> streamedCalls = calls(streamed);
    assertFalse(wholeCalls.isEmpty());
    assertEquals(wholeCalls.size(), streamedCalls.size());
    for (int i = 0; i < wholeCalls.size(); i++) {
      assertValidCall(streamedCalls.get(i));
      assertEquals(wholeCalls.get(i).function(), streamedCalls.get(i).function(), "the same seed, the same call");
      assertNotEquals(wholeCalls.get(i).id(), streamedCalls.get(i).id(), "each answer names its own calls");
    }
    assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, streamed.choices().get(0).finishReason());

    // The tool's results go back with the call, and the model answers in text.
    ChatCompletionCreateParams.Builder next = question(8).addMessage(whole.choices().get(0).message());
    for (ChatCompletionMessageFunctionToolCall call : wholeCalls) {
      next.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id())
          .content("{\"result\": \"sunny, 21 C\"}").build());
    }
    ChatCompletionCreateParams answer = next.toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
        .maxCompletionTokens(24).build();
    ChatCompletion finalWhole = client.chat().completions().create(answer);
    ChatCompletion finalStreamed = accumulate(answer);
    String text = finalWhole.choices().get(0).message().content().orElseThrow();
    assertFalse(text.isEmpty());
    assertEquals(text, finalStreamed.choices().get(0).message().content().orElseThrow());
    assertTrue(finalWhole.usage().orElseThrow().promptTokens() > whole.usage().orElseThrow().promptTokens(),
        "the call and its result are in the prompt");
  }

  private ChatCompletion accumulate(ChatCompletionCreateParams params) {
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    return accumulator.chatCompletion();
  }
}
