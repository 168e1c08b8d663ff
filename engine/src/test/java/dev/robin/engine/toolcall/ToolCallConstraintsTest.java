package dev.robin.engine.toolcall;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.grammar.Grammar;
import dev.robin.engine.grammar.OutputConstraint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallConstraintsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ToolCallConstraints.Function function(String name, String parameters) throws Exception {
    return new ToolCallConstraints.Function(name, parameters == null ? null : JSON.readTree(parameters));
  }

  private static boolean allows(OutputConstraint constraint, String text) {
    return Grammar.jsonSchema(constraint.source()).matches(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void callsOfAnyFunctionWithArgumentsValidAgainstItsParameters() throws Exception {
    List<ToolCallConstraints.Function> functions = List.of(
        function("weather", "{\"type\":\"object\",\"properties\":{\"at\":{\"$ref\":\"#/$defs/place\"}},"
            + "\"required\":[\"at\"],\"$defs\":{\"place\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\"}},\"required\":[\"city\"]}}}"),
        function("now", null));
    OutputConstraint parallel = ToolCallConstraints.anyOf(functions, true);
    assertTrue(allows(parallel, "[{\"name\":\"weather\",\"arguments\":{\"at\":{\"city\":\"Oslo\"}}}]"));
    assertTrue(allows(parallel,
        "[{\"name\":\"now\",\"arguments\":{}},{\"name\":\"weather\",\"arguments\":{\"at\":{\"city\":\"\"}}}]"));
    assertFalse(allows(parallel, "[]"), "at least one call");
    assertFalse(allows(parallel, "[{\"name\":\"weather\",\"arguments\":{\"at\":{}}}]"), "city is required");
    assertFalse(allows(parallel, "[{\"name\":\"now\",\"arguments\":{\"x\":1}}]"), "now takes no arguments");
    assertFalse(allows(parallel, "[{\"name\":\"other\",\"arguments\":{}}]"), "only the given functions");
    OutputConstraint single = ToolCallConstraints.anyOf(functions, false);
    assertTrue(allows(single, "[{\"name\":\"now\",\"arguments\":{}}]"));
    assertFalse(allows(single, "[{\"name\":\"now\",\"arguments\":{}},{\"name\":\"now\",\"arguments\":{}}]"),
        "parallel_tool_calls false: one call");
  }

  @Test
  void aNamedFunctionIsConstrainedToItsArguments() throws Exception {
    OutputConstraint named = ToolCallConstraints.argumentsOf(function("f",
        "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"]}"));
    assertTrue(allows(named, "{\"n\":3}"));
    assertFalse(allows(named, "{\"n\":0}"));
  }
}
