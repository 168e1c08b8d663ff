package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real chat templates (Qwen3's from the shared tokenizer, Llama 3.3 and 3.2, Hermes 3, Mistral Nemo, Qwen2.5, …)
 * rendered by Robin for every conversation of chat-fixtures/cases.json, byte for byte against what Python's
 * Jinja2 renders as transformers' apply_chat_template does (chat-fixtures/render.py wrote expected/).
 */
class ChatTemplateFixturesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A fixture message (the dict a template sees) as a {@link ChatMessage}. */
  static ChatMessage message(JsonNode m) {
    List<ChatMessage.ToolCall> calls = new ArrayList<>();
    for (JsonNode c : m.path("tool_calls")) {
      calls.add(new ChatMessage.ToolCall(text(c, "id"), c.get("function").get("name").asText(),
          c.get("function").get("arguments")));
    }
    return new ChatMessage(m.get("role").asText(), text(m, "content"), calls, text(m, "tool_call_id"),
        text(m, "name"), text(m, "reasoning_content"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static Stream<Arguments> renders() {
    Map<String, JsonNode> cases = new LinkedHashMap<>();
    for (JsonNode c : ChatTemplateFixtures.json("cases.json").get("cases")) {
      cases.put(c.get("name").asText(), c);
    }
    List<Arguments> out = new ArrayList<>();
    for (JsonNode spec : ChatTemplateFixtures.json("templates.json").get("templates")) {
      String name = spec.get("name").asText();
      for (JsonNode r : ChatTemplateFixtures.json("expected/" + name + ".json").get("renders")) {
        out.add(Arguments.of(name, r.get("case").asText(), r.get("add_generation_prompt").asBoolean(),
            cases.get(r.get("case").asText()), r));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} / {1} / add_generation_prompt={2}")
  @MethodSource("renders")
  void rendersExactlyAsTransformers(String template, String caseName, boolean addGenerationPrompt, JsonNode c,
      JsonNode expected) throws IOException {
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : c.get("messages")) {
      ChatMessage message = message(m);
      // The dict Robin gives the template is the fixture's, key order included.
      assertEquals(JSON.writeValueAsString(m), JSON.writeValueAsString(JSON.valueToTree(message.templateValue())));
      messages.add(message);
    }
    List<JsonNode> tools = null;
    if (c.has("tools")) {
      tools = new ArrayList<>();
      c.get("tools").forEach(tools::add);
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    c.path("extra").fields().forEachRemaining(e -> extra.put(e.getKey(), e.getValue()));
    JinjaChatTemplate t = ChatTemplateFixtures.template(template);
    List<JsonNode> toolList = tools;
    if (expected.has("error")) {
      ChatTemplateException e = assertThrows(ChatTemplateException.class,
          () -> t.render(messages, toolList, addGenerationPrompt, extra));
      String pythonMessage = expected.get("message").asText();
      if (expected.get("error").asText().equals("TemplateError")) { // the template's raise_exception
        assertEquals(pythonMessage, e.getMessage());
      } else {
        assertTrue(e.getMessage().endsWith(expected.get("error").asText() + ": " + pythonMessage), e.getMessage());
      }
      return;
    }
    String want = expected.get("output").asText().replace("__TODAY__", JinjaChatTemplate.strftimeNow("%d %b %Y"));
    String got = t.render(messages, toolList, addGenerationPrompt, extra);
    assertEquals(want, got, () -> "whitespace made visible:\nexpected " + visible(want) + "\nactual   " + visible(got));
  }

  /** Whitespace made visible, so a failure shows which newline or space differs. */
  static String visible(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace(" ", "·");
  }

  @Test
  void theFixturesCoverWhatTheyClaim() {
    List<Arguments> all = renders().toList();
    assertTrue(all.size() >= 500, "renderings: " + all.size());
    for (String name : List.of("qwen3", "llama-3.3-70b-instruct", "hermes-3-llama-3.1-8b-tool_use",
        "mistral-nemo-instruct-2407")) {
      List<JsonNode> outputs = all.stream().filter(a -> a.get()[0].equals(name))
          .map(a -> (JsonNode) a.get()[4]).filter(r -> r.has("output")).toList();
      assertTrue(outputs.stream().anyMatch(r -> r.get("add_generation_prompt").asBoolean()), name);
      assertTrue(outputs.stream().anyMatch(r -> !r.get("add_generation_prompt").asBoolean()), name);
      assertTrue(outputs.stream().anyMatch(r -> r.get("case").asText().startsWith("tool_call")), name);
    }
    String qwen3Tools = ChatTemplateFixtures.json("expected/qwen3.json").get("renders").get(0).toString();
    assertTrue(qwen3Tools.contains("system_user"), qwen3Tools);
  }
}
