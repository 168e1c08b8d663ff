package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real templates of Llama 3, Qwen2.5, Mistral v0.3 and SmolLM2 against the strings Python's jinja2
 * renders from them as transformers does (chat-templates/gen_expected.py wrote expected.json).
 */
class JinjaChatTemplateTest {

  static String resource(String name) {
    try (InputStream in = JinjaChatTemplateTest.class.getResourceAsStream("/chat-templates/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource chat-templates/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** expected.json writes today's date as __TODAY__ (Llama 3.2 prints strftime_now("%d %b %Y")). */
  private static String expected(JsonNode c) {
    return c.get("expected").asText().replace("__TODAY__", JinjaChatTemplate.strftimeNow("%d %b %Y"));
  }

  static Stream<Arguments> cases() throws IOException {
    JsonNode root = new ObjectMapper().readTree(resource("expected.json"));
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      out.add(Arguments.of(c.get("template").asText(), c.get("conversation").asText(),
          c.get("add_generation_prompt").asBoolean(), c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} add_generation_prompt={2}")
  @MethodSource("cases")
  void rendersLikePythonJinja2(String template, String conversation, boolean addGenerationPrompt, JsonNode c) {
    JinjaChatTemplate t = new JinjaChatTemplate(resource(template + ".jinja"),
        c.get("bos_token").asText(), c.get("eos_token").asText());
    if (c.has("tools")) { // messages with tool_calls and the tools variable go through the map API
      ObjectMapper json = new ObjectMapper();
      List<Map<String, Object>> maps = json.convertValue(c.get("messages"), new TypeReference<>() {});
      Object tools = json.convertValue(c.get("tools"), List.class);
      assertEquals(visible(expected(c)),
          visible(t.render(maps, addGenerationPrompt, Map.of("tools", tools))));
      return;
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : c.get("messages")) {
      messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    if (c.has("error")) {
      ChatTemplateException e = assertThrows(ChatTemplateException.class,
          () -> t.render(messages, addGenerationPrompt));
      assertEquals(c.get("error").asText(), e.getMessage());
    } else {
      assertEquals(visible(expected(c)), visible(t.render(messages, addGenerationPrompt)));
    }
  }

  /** Whitespace made visible, so a failure shows which newline or space differs. */
  static String visible(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace(" ", "·");
  }

  @Test
  void everyModelAndBothGenerationPromptSettingsAreCovered() throws IOException {
    assertTrue(cases().count() >= 40);
    assertTrue(cases().anyMatch(a -> ((JsonNode) a.get()[3]).has("error")));
  }

  @Test
  void messageContentIsNeverEvaluatedAsTemplate() {
    JinjaChatTemplate t = new JinjaChatTemplate(resource("smollm2.jinja"), "", "");
    String content = "{{ 7 * 7 }} {% for x in [1,2] %}{{ x }}{% endfor %} {{ raise_exception('boom') }}";
    String out = t.render(List.of(new ChatMessage("user", content)), true);
    assertTrue(out.contains("<|im_start|>user\n" + content + "<|im_end|>"), out);
  }

  @Test
  void strftimeNowFormatsTheCurrentDate() {
    String out = new JinjaChatTemplate("{{ strftime_now('%Y-%m-%d') }}", "", "").render(List.of(), false);
    assertTrue(out.matches("\\d{4}-\\d{2}-\\d{2}"), out);
  }

  @Test
  void aBrokenTemplateFailsClearly() {
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{% if messages %}{{ messages[0].content }}", "", ""));
    assertTrue(e.getMessage().contains("chat template"), e.getMessage());
    // Jinjava would render an unknown filter or test as nothing; the template is refused instead.
    e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{{ messages[0].content | nosuchfilter(1) }}", "", ""));
    assertTrue(e.getMessage().contains("nosuchfilter"), e.getMessage());
    e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{% if messages is nosuchtest %}x{% endif %}", "", ""));
    assertTrue(e.getMessage().contains("nosuchtest"), e.getMessage());
    e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{{ nosuchfunction(1) }}", "", "").render(List.of(), true));
    assertTrue(e.getMessage().contains("chat template"), e.getMessage());
  }
}
