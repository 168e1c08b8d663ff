package dev.robin.engine.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small templates exercising Jinja2's language and Python's values (printing None/True/lists/dicts, slicing with
 * steps, string methods, filters, tests, scoping of loops, macros, whitespace control, errors) against Python's
 * Jinja2 3.1 in transformers' environment (chat-fixtures/render.py wrote expected/expressions.json).
 */
class JinjaExpressionsTest {

  private static JsonNode read(String name) throws IOException {
    try (InputStream in = JinjaExpressionsTest.class.getResourceAsStream("/chat-fixtures/" + name)) {
      return new ObjectMapper().readTree(in);
    }
  }

  static Stream<Arguments> results() throws IOException {
    List<Arguments> out = new ArrayList<>();
    int i = 0;
    for (JsonNode r : read("expected/expressions.json").get("results")) {
      out.add(Arguments.of(i++, r.get("template").asText(), r));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("results")
  void rendersAsJinja2(int index, String source, JsonNode expected) throws IOException {
    Map<String, Object> variables = new LinkedHashMap<>();
    read("expressions.json").get("variables").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue()));
    if (!expected.has("error")) {
      assertEquals(expected.get("output").asText(), Template.parse(source).render(variables));
      return;
    }
    String kind = expected.get("error").asText();
    String message = expected.get("message").asText();
    if (kind.equals("TemplateSyntaxError")) {
      TemplateSyntaxError e = assertThrows(TemplateSyntaxError.class, () -> Template.parse(source));
      assertEquals(message, e.getMessage());
      return;
    }
    Template t = Template.parse(source);
    TemplateRuntimeError e = assertThrows(TemplateRuntimeError.class, () -> t.render(variables));
    assertEquals(kind + ": " + message, e.kind() + ": " + e.getMessage());
  }
}
