package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors, variables and safety of {@link JinjaChatTemplate}; exact renderings are in {@link ChatTemplateFixturesTest}. */
class JinjaChatTemplateTest {

  private static final List<ChatMessage> HI = List.of(new ChatMessage("user", "Hi"));

  @Test
  void raiseExceptionIsAChatTemplateExceptionWithTheTemplatesOwnMessage() {
    JinjaChatTemplate t = new JinjaChatTemplate(
        "{% if messages[-1].role != 'user' %}{{ raise_exception('Conversation roles must end with a user message') }}"
            + "{% endif %}ok", "", "");
    assertEquals("ok", t.render(HI, true));
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> t.render(List.of(new ChatMessage("assistant", "x")), true));
    assertEquals("Conversation roles must end with a user message", e.getMessage());
  }

  @Test
  void aTemplateThatDoesNotParseFailsWhenLoadedNamingTheLine() {
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("Hello\n{% if messages %}{{ messages[0].content }}", "", ""));
    assertEquals("the chat template does not parse at line 2: Unexpected end of template. Jinja was looking for the"
        + " following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
        e.getMessage());
    e = assertThrows(ChatTemplateException.class, () -> new JinjaChatTemplate("{{ messages | nosuchfilter(1) }}", "", ""));
    assertEquals("the chat template does not parse at line 1: No filter named 'nosuchfilter'.", e.getMessage());
    e = assertThrows(ChatTemplateException.class, () -> new JinjaChatTemplate("{{ 1 + }}", "", ""));
    assertTrue(e.getMessage().startsWith("the chat template does not parse at line 1: "), e.getMessage());
    e = assertThrows(ChatTemplateException.class, () -> new JinjaChatTemplate("{% do messages.append(1) %}", "", ""));
    assertEquals("the chat template does not parse at line 1: Encountered unknown tag 'do'.", e.getMessage());
  }

  @Test
  void errorsWhileRenderingNameTheLineAndPythonsException() {
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("line one\n{{ nosuchfunction(1) }}", "", "").render(HI, true));
    assertEquals("the chat template failed at line 2: UndefinedError: 'nosuchfunction' is undefined", e.getMessage());
    e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{{ messages.append(1) }}", "", "").render(HI, true));
    assertEquals("the chat template failed at line 1: SecurityError: access to attribute 'append' of 'list' object"
        + " is unsafe.", e.getMessage());
    e = assertThrows(ChatTemplateException.class,
        () -> new JinjaChatTemplate("{{ messages[0].content + 1 }}", "", "").render(HI, true));
    assertEquals("the chat template failed at line 1: TypeError: can only concatenate str (not \"int\") to str",
        e.getMessage());
  }

  @Test
  void messageContentIsNeverEvaluatedAsTemplate() {
    JinjaChatTemplate t = new JinjaChatTemplate(
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}", "", "");
    String content = "{{ 7 * 7 }} {% for x in [1,2] %}{{ x }}{% endfor %} {{ raise_exception('boom') }}";
    assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n", t.render(List.of(new ChatMessage("user", content)), true));
  }

  @Test
  void variablesAreTransformers() throws Exception {
    JinjaChatTemplate t = new JinjaChatTemplate("{{ bos_token is defined }}|{{ eos_token }}|{{ tools }}|{{ documents }}"
        + "|{{ add_generation_prompt }}|{{ enable_thinking is defined }}|{{ messages }}", "", "</s>");
    assertEquals("False|</s>|None|None|True|False|[{'role': 'user', 'content': 'Hi'}]", t.render(HI, true));
    JsonNode tool = new ObjectMapper().readTree("{\"type\": \"function\", \"function\": {\"name\": \"f\"}}");
    assertEquals("False|</s>|[{'type': 'function', 'function': {'name': 'f'}}]|None|False|True|"
        + "[{'role': 'user', 'content': 'Hi'}]", t.render(HI, List.of(tool), false, Map.of("enable_thinking", false)));
    assertEquals("False|</s>|[]|None|False|False|[{'role': 'user', 'content': None}]",
        t.render(List.of(new ChatMessage("user", null)), List.of(), false));
    assertThrows(ChatTemplateException.class, () -> t.render(HI, null, true, Map.of("messages", List.of())));
  }

  @Test
  void toolCallsReachTheTemplateAsTransformersPassesThem() throws Exception {
    JsonNode arguments = new ObjectMapper().readTree("{\"city\": \"Zürich\", \"days\": 2}");
    ChatMessage call = ChatMessage.assistantCalls(null, List.of(new ChatMessage.ToolCall("c1", "get_weather", arguments)));
    JinjaChatTemplate t = new JinjaChatTemplate("{% for m in messages %}{% for c in m.tool_calls %}{{ c.id }} {{ c.type }}"
        + " {{ c.function.name }}({{ c.function.arguments | tojson }}) {{ c.function.arguments.days + 1 }}{% endfor %}"
        + "{% if m.tool_call_id is defined %}[{{ m.tool_call_id }}:{{ m.content }}]{% endif %}{% endfor %}", "", "");
    assertEquals("c1 function get_weather({\"city\": \"Zürich\", \"days\": 2}) 3[c1:sunny]",
        t.render(List.of(call, ChatMessage.toolResult("c1", "sunny")), false));
  }

  @Test
  void strftimeNowFormatsTheCurrentDate() {
    String out = new JinjaChatTemplate("{{ strftime_now('%Y-%m-%d') }}", "", "").render(List.of(), false);
    assertTrue(out.matches("\\d{4}-\\d{2}-\\d{2}"), out);
  }
}
