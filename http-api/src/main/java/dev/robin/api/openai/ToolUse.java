package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.toolcall.ToolCallConstraints;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat request's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, validated as OpenAI
 * validates them.
 *
 * @param tools the tool list as sent ({@code {"type": "function", "function": {…}}}), for the chat template;
 *     empty for none
 * @param functions each tool's function name and {@code parameters}, in the same order
 * @param choice whether the model may, must or must not call
 * @param function the function {@link Choice#FUNCTION} names; null otherwise
 * @param parallel whether the model may make several calls in one answer
 */
public record ToolUse(
    List<JsonNode> tools, List<ToolCallConstraints.Function> functions, Choice choice, String function,
    boolean parallel) {

  /** {@code tool_choice}. */
  public enum Choice {
    /** The model answers in text; the tools are not shown to it. */
    NONE,
    /** The model decides: text, calls, or both. */
    AUTO,
    /** The model must call at least one of the functions. */
    REQUIRED,
    /** The model must call the named function. */
    FUNCTION
  }

  public static final ToolUse NONE = new ToolUse(List.of(), List.of(), Choice.NONE, null, true);

  /** OpenAI's rule for function names. */
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  public static final int MAX_TOOLS = 128;

  public ToolUse {
    tools = List.copyOf(tools);
    functions = List.copyOf(functions);
  }

  /** Whether the tools go to the prompt (and the answer is read for calls). */
  public boolean isActive() {
    return choice != Choice.NONE && !tools.isEmpty();
  }

  /**
   * What the output must be when the model must call: a JSON array of calls ({@code required}) or the named
   * function's arguments; null when the model may answer freely.
   */
  public OutputConstraint constraint() {
    return switch (choice) {
      case REQUIRED -> ToolCallConstraints.anyOf(functions, parallel);
      case FUNCTION -> ToolCallConstraints.argumentsOf(
          functions.stream().filter(f -> f.name().equals(function)).findFirst().orElseThrow());
      default -> null;
    };
  }

  static ToolUse parse(JsonFields f) {
    JsonNode toolsNode = f.raw("tools");
    List<JsonNode> tools = new ArrayList<>();
    List<ToolCallConstraints.Function> functions = new ArrayList<>();
    if (toolsNode != null) {
      if (!toolsNode.isArray()) {
        throw ApiError.invalidType("tools", "an array", Json.typeName(toolsNode)).toException();
      }
      if (toolsNode.isEmpty()) {
        throw ApiError.badRequest("empty_array", "tools",
            "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.")
            .toException();
      }
      if (toolsNode.size() > MAX_TOOLS) {
        throw ApiError.badRequest("array_above_max_length", "tools", "Invalid 'tools': array too long. Expected at "
            + "most " + MAX_TOOLS + " tools, but got " + toolsNode.size() + ".").toException();
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < toolsNode.size(); i++) {
        ToolCallConstraints.Function function = tool(toolsNode.get(i), "tools[" + i + "]");
        if (!names.add(function.name())) {
          throw ApiError.invalidValue("tools[" + i + "].function.name",
              "Duplicate function name '" + function.name() + "' in 'tools'.").toException();
        }
        tools.add(toolsNode.get(i));
        functions.add(function);
      }
    }
    boolean parallel = f.bool("parallel_tool_calls", true);
    JsonNode choiceNode = f.raw("tool_choice");
    Choice choice = tools.isEmpty() ? Choice.NONE : Choice.AUTO;
    String named = null;
    if (choiceNode != null) {
      if (choiceNode.isTextual()) {
        switch (choiceNode.textValue()) {
          case "none" -> choice = Choice.NONE;
          case "auto" -> choice = tools.isEmpty() ? Choice.NONE : Choice.AUTO;
          case "required" -> choice = Choice.REQUIRED;
          default -> throw ApiError.invalidValue("tool_choice", "Invalid value: '" + choiceNode.textValue()
              + "'. Supported values are: 'none', 'auto', 'required' and an object naming a function.").toException();
        }
      } else if (choiceNode.isObject()) {
        JsonFields c = JsonFields.nested(choiceNode, "tool_choice");
        String type = c.requiredString("type");
        if (!"function".equals(type)) {
          throw ApiError.invalidValue(c.param("type"), "Invalid value: '" + type
              + "'. Supported values are: 'function'.").toException();
        }
        named = JsonFields.nested(c.required("function"), c.param("function")).requiredString("name", JsonFields.MAX_IDENTIFIER_CHARS);
        choice = Choice.FUNCTION;
      } else {
        throw ApiError.invalidType("tool_choice", "a string or an object", Json.typeName(choiceNode)).toException();
      }
      if ((choice == Choice.REQUIRED || choice == Choice.FUNCTION) && tools.isEmpty()) {
        throw ApiError.invalidValue("tool_choice",
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
            .toException();
      }
    }
    if (choice == Choice.FUNCTION) {
      String wanted = named;
      int index = indexOf(functions, wanted);
      if (index < 0) {
        throw ApiError.invalidValue("tool_choice.function.name",
            "Tool choice '" + wanted + "' is not among the functions of 'tools'.").toException();
      }
      OutputConstraintParser.check(ToolCallConstraints.argumentsOf(functions.get(index)), "tools[" + index + "].function.parameters");
    } else if (choice == Choice.REQUIRED) {
      for (int i = 0; i < functions.size(); i++) {
        OutputConstraintParser.check(ToolCallConstraints.argumentsOf(functions.get(i)), "tools[" + i + "].function.parameters");
      }
      // The constraint the model gets combines them all: checked too, so it never fails later at the replica.
      OutputConstraintParser.check(ToolCallConstraints.anyOf(functions, parallel), "tools");
    }
    return new ToolUse(tools, functions, choice, named, parallel);
  }

  private static ToolCallConstraints.Function tool(JsonNode node, String param) {
    JsonFields t = JsonFields.nested(node, param);
    String type = t.requiredString("type");
    if (!"function".equals(type)) {
      throw ApiError.invalidValue(t.param("type"), "Invalid value: '" + type + "'. Supported values are: 'function'.")
          .toException();
    }
    JsonFields fn = JsonFields.nested(t.required("function"), t.param("function"));
    String name = fn.requiredString("name", JsonFields.MAX_IDENTIFIER_CHARS);
    if (!NAME.matcher(name).matches()) {
      throw ApiError.invalidValue(fn.param("name"), "Invalid '" + fn.param("name") + "': string does not match "
          + "pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.").toException();
    }
    fn.optionalString("description");
    fn.bool("strict", false);
    JsonNode parameters = fn.raw("parameters");
    if (parameters != null && !parameters.isObject()) {
      throw ApiError.invalidType(fn.param("parameters"), "a JSON Schema object", Json.typeName(parameters))
          .toException();
    }
    return new ToolCallConstraints.Function(name, parameters);
  }

  private static int indexOf(List<ToolCallConstraints.Function> functions, String name) {
    for (int i = 0; i < functions.size(); i++) {
      if (functions.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
