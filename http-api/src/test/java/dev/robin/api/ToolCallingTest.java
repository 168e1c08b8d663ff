package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.robin.api.json.Json;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import dev.robin.engine.chat.JinjaChatTemplate;
import dev.robin.engine.grammar.Grammar;
import dev.robin.engine.request.GenerationRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tool calling through the HTTP layer, against fake models that write calls in their own format: the request's
 * tools reach the template, the output is read into {@code tool_calls} (whole and streamed alike), and every
 * misuse is a 400 naming its field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolCallingTest {

  /** Shows the tools and the history, as a Hermes template does. */
  private static final String HERMES_TEMPLATE = "{% if tools %}<tools>{% for t in tools %}{{ t.function.name }};"
      + "{% endfor %}</tools> Call as <tool_call>{...}</tool_call>{% endif %}{% for m in messages %}[{{ m.role }}]"
      + "{% if m.tool_calls %}{% for c in m.tool_calls %}<tool_call>{{ c.function | tojson }}</tool_call>"
      + "{% endfor %}{% elif m.role == 'tool' %}({{ m.tool_call_id }}){{ m.content }}{% else %}{{ m.content }}"
      + "{% endif %}{% endfor %}[assistant]";
  private static final String MISTRAL_TEMPLATE = "{% if tools %}[AVAILABLE_TOOLS]{{ tools | tojson }}"
      + "[/AVAILABLE_TOOLS]{% endif %}{% for m in messages %}{{ m.content }}{% if m.tool_calls %}[TOOL_CALLS]"
      + "{% endif %}{% endfor %}";
  private static final String HERMES_OUTPUT = "Let me check.<tool_call>{\"name\": \"weather\", \"arguments\": "
      + "{\"city\": \"Oslo\"}}</tool_call> <tool_call>{\"name\": \"time\", \"arguments\": {}}</tool_call>";
  private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\","
      + "\"description\":\"The weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
      + "{\"type\":\"string\"}},\"required\":[\"city\"]}}},{\"type\":\"function\",\"function\":{\"name\":\"time\"}}]";
  private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}]";

  private TestServer server;
  private FakeModel hermes;
  private FakeModel required;

  @BeforeAll
  void start() {
    server = new TestServer();
    hermes = new FakeModel("hermes", FakeModel.Script.of(server.ids(HERMES_OUTPUT)));
    server.addModel("hermes", hermes, 4096, new JinjaChatTemplate(HERMES_TEMPLATE, null, null));
    server.addModel("mistral", new FakeModel("mistral", FakeModel.Script.of(server.ids(
        "[TOOL_CALLS][{\"name\": \"weather\", \"arguments\": {\"city\": \"Rome\"}}]"))), 4096,
        new JinjaChatTemplate(MISTRAL_TEMPLATE, null, null));
    required = new FakeModel("required", FakeModel.Script.of(server.ids(
        "[{\"name\": \"time\", \"arguments\": {}}, {\"name\": \"weather\", \"arguments\": {\"city\": \"Bergen\"}}]")));
    server.addModel("required", required, 4096, new JinjaChatTemplate(HERMES_TEMPLATE, null, null));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> chat(String model, String fields) {
    return server.post("/v1/chat/completions", "{\"model\":\"" + model + "\"," + fields + "}");
  }

  private static JsonNode message(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return TestServer.json(r).get("choices").get(0).get("message");
  }

  @Test
  void callsInTheModelsFormatBecomeToolCalls() {
    HttpResponse<String> r = chat("hermes", USER + "," + TOOLS);
    JsonNode message = message(r);
    assertEquals("Let me check.", message.get("content").asText());
    JsonNode calls = message.get("tool_calls");
    assertEquals(2, calls.size(), r.body());
    assertEquals("weather", calls.get(0).get("function").get("name").asText());
    assertEquals("{\"city\": \"Oslo\"}", calls.get(0).get("function").get("arguments").asText());
    assertEquals("time", calls.get(1).get("function").get("name").asText());
    assertEquals("{}", calls.get(1).get("function").get("arguments").asText());
    assertEquals("function", calls.get(0).get("type").asText());
    assertTrue(calls.get(0).get("id").asText().matches("call_[A-Za-z0-9]{24}"), calls.toString());
    assertFalse(calls.get(0).get("id").asText().equals(calls.get(1).get("id").asText()));
    assertEquals("tool_calls", TestServer.json(r).get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void aStreamSendsEachCallsIdAndNameThenItsArguments() {
    JsonNode whole = message(chat("hermes", USER + "," + TOOLS));
    HttpResponse<String> r = chat("hermes", USER + "," + TOOLS + ",\"stream\":true");
    assertEquals(200, r.statusCode(), r.body());
    StringBuilder content = new StringBuilder();
    Map<Integer, ObjectNode> calls = new TreeMap<>();
    String finish = null;
    List<String> order = new ArrayList<>();
    for (JsonNode event : TestServer.sseEvents(r.body())) {
      JsonNode choice = event.get("choices").get(0);
      JsonNode delta = choice.get("delta");
      if (delta.hasNonNull("content")) {
        content.append(delta.get("content").asText());
      }
      for (JsonNode piece : delta.path("tool_calls")) {
        int index = piece.get("index").asInt();
        ObjectNode call = calls.computeIfAbsent(index, i -> Json.MAPPER.createObjectNode());
        if (piece.has("id")) {
          order.add("id" + index);
          assertTrue(piece.get("function").has("name"), "the name comes with the id");
          call.put("name", piece.get("function").get("name").asText());
          call.put("arguments", "");
        }
        String args = piece.get("function").path("arguments").asText("");
        if (!args.isEmpty()) {
          order.add("args" + index);
        }
        call.put("arguments", call.get("arguments").asText() + args);
      }
      if (choice.hasNonNull("finish_reason")) {
        finish = choice.get("finish_reason").asText();
      }
    }
    assertEquals(List.of("id0", "args0", "id1", "args1"), order);
    assertEquals(whole.get("content").asText(), content.toString());
    for (int i = 0; i < 2; i++) {
      JsonNode expected = whole.get("tool_calls").get(i).get("function");
      assertEquals(expected.get("name").asText(), calls.get(i).get("name").asText());
      assertEquals(expected.get("arguments").asText(), calls.get(i).get("arguments").asText());
    }
    assertEquals("tool_calls", finish);
  }

  @Test
  void theOpenAiSdkAssemblesTheStreamedCallsIntoTheWholeAnswersCalls() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.url("/v1")).apiKey("unused").maxRetries(0)
        .build();
    try {
      ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("hermes").addUserMessage("hi")
          .addFunctionTool(FunctionDefinition.builder().name("weather").build())
          .addFunctionTool(FunctionDefinition.builder().name("time").build()).build();
      ChatCompletion whole = client.chat().completions().create(params);
      ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
        stream.stream().forEach(accumulator::accumulate);
      }
      ChatCompletion streamed = accumulator.chatCompletion();
      List<ChatCompletionMessageToolCall> expected = whole.choices().get(0).message().toolCalls().orElseThrow();
      List<ChatCompletionMessageToolCall> actual = streamed.choices().get(0).message().toolCalls().orElseThrow();
      assertEquals(2, expected.size());
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i).asFunction().function(), actual.get(i).asFunction().function());
      }
      assertEquals(whole.choices().get(0).message().content(), streamed.choices().get(0).message().content());
      assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, streamed.choices().get(0).finishReason());
    } finally {
      client.close();
    }
  }

  @Test
  void parallelToolCallsFalseKeepsTheFirstCall() {
    JsonNode message = message(chat("hermes", USER + "," + TOOLS + ",\"parallel_tool_calls\":false"));
    assertEquals(1, message.get("tool_calls").size());
    assertEquals("weather", message.get("tool_calls").get(0).get("function").get("name").asText());
  }

  @Test
  void toolChoiceNoneLeavesTheToolsOutAndTheTextAlone() {
    JsonNode message = message(chat("hermes", USER + "," + TOOLS + ",\"tool_choice\":\"none\""));
    assertEquals(HERMES_OUTPUT, message.get("content").asText());
    assertFalse(message.has("tool_calls"));
  }

  @Test
  void mistralCallsGetNineCharacterIds() {
    HttpResponse<String> r = chat("mistral", USER + "," + TOOLS);
    JsonNode message = message(r);
    assertTrue(message.get("content").isNull(), r.body());
    JsonNode call = message.get("tool_calls").get(0);
    assertEquals("{\"city\": \"Rome\"}", call.get("function").get("arguments").asText());
    assertTrue(call.get("id").asText().matches("[A-Za-z0-9]{9}"), call.toString());
  }

  @Test
  void requiredAndANamedFunctionConstrainTheOutputToACall() throws Exception {
    JsonNode message = message(chat("required", USER + "," + TOOLS + ",\"tool_choice\":\"required\""));
    assertEquals(2, message.get("tool_calls").size(), message.toString());
    assertEquals("{\"city\": \"Bergen\"}", message.get("tool_calls").get(1).get("function").get("arguments").asText());
    GenerationRequest sent = required.generates().get(required.generates().size() - 1);
    Grammar grammar = Grammar.jsonSchema(sent.sampling().constraint().source());
    assertTrue(grammar.matches("[{\"name\":\"weather\",\"arguments\":{\"city\":\"x\"}}]".getBytes(StandardCharsets.UTF_8)));
    assertFalse(grammar.matches("[{\"name\":\"weather\",\"arguments\":{}}]".getBytes(StandardCharsets.UTF_8)),
        "the arguments follow the function's parameters");
    chat("required", USER + "," + TOOLS + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}");
    GenerationRequest named = required.generates().get(required.generates().size() - 1);
    assertTrue(Grammar.jsonSchema(named.sampling().constraint().source())
        .matches("{\"city\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theHistorysCallsAndResultsReachTheTemplate() {
    HttpResponse<String> r = chat("hermes", "\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"},"
        + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\": \\\"Oslo\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}]," + TOOLS + ",\"max_tokens\":1");
    assertEquals(200, r.statusCode(), r.body());
    String prompt = server.tokenizer.decode(hermes.generates().get(hermes.generates().size() - 1).promptIds(), false);
    assertEquals("<tools>weather;time;</tools> Call as <tool_call>{...}</tool_call>[user]Weather?[assistant]"
        + "<tool_call>{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}</tool_call>[tool](call_1)sunny"
        + "[assistant]", prompt);
  }

  @Test
  void tokenizeCountsTheToolsAChatRequestWouldShow() {
    HttpResponse<String> without = server.post("/v1/tokenize", "{\"model\":\"hermes\"," + USER + "}");
    HttpResponse<String> with = server.post("/v1/tokenize", "{\"model\":\"hermes\"," + USER + "," + TOOLS + "}");
    assertEquals(200, with.statusCode(), with.body());
    String prompt = "<tools>weather;time;</tools> Call as <tool_call>{...}</tool_call>[user]Weather in Oslo?[assistant]";
    assertEquals(server.ids(prompt).size(), TestServer.json(with).get("count").asInt(), with.body());
    assertTrue(TestServer.json(with).get("count").asInt() > TestServer.json(without).get("count").asInt());
    HttpResponse<String> refused = server.post("/v1/tokenize", "{\"model\":\"fake\"," + USER + "," + TOOLS + "}");
    assertRefused(refused, "tools");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "hermes | ,\"tool_choice\":\"bogus\" | tool_choice",
      "hermes | ,\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}} | tool_choice.function.name",
      "hermes | ,\"tool_choice\":{\"type\":\"function\"} | tool_choice.function",
      "hermes | ,\"tool_choice\":3 | tool_choice",
      "hermes | ,\"parallel_tool_calls\":\"yes\" | parallel_tool_calls",
      "hermes | ,\"tool_choice\":\"required\",\"response_format\":{\"type\":\"json_object\"} | tool_choice",
      "fake | | tools",
  })
  void misuseIsA400NamingTheField(String model, String extra, String param) {
    HttpResponse<String> r = chat(model, USER + "," + TOOLS + (extra == null ? "" : extra));
    assertRefused(r, param);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "\"tools\":{} | tools",
      "\"tools\":[] | tools",
      "\"tools\":[{\"type\":\"code\"}] | tools[0].type",
      "\"tools\":[{\"type\":\"function\"}] | tools[0].function",
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}] | tools[0].function.name",
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":[]}}] | tools[0].function.parameters",
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},{\"type\":\"function\",\"function\":{\"name\":\"a\"}}] | tools[1].function.name",
      "\"tool_choice\":\"required\" | tool_choice",
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"string\",\"format\":\"credit-card\"}}}}}],\"tool_choice\":\"required\" | tools[0].function.parameters",
  })
  void badToolsAreA400NamingTheField(String fields, String param) {
    HttpResponse<String> r = chat("hermes", USER + "," + fields);
    assertRefused(r, param);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{}\"}}]} | messages[1].tool_calls[0].id",
      "{\"role\":\"assistant\",\"tool_calls\":{}} | messages[1].tool_calls",
      "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"a\",\"arguments\":{}}}]} | messages[1].tool_calls[0].function.arguments",
      "{\"role\":\"tool\",\"content\":\"x\"} | messages[1].tool_call_id",
  })
  void badHistoryIsA400NamingTheField(String message, String param) {
    HttpResponse<String> r = chat("hermes", "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}," + message + "]");
    assertRefused(r, param);
    assertNotNull(TestServer.json(r).get("error").get("message").asText());
  }

  /** A 400 in the envelope whose {@code param} names the field at fault. */
  private static void assertRefused(HttpResponse<String> r, String param) {
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(param, TestServer.json(r).get("error").get("param").asText(), r.body());
  }
}
