package dev.robin.engine.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The output constraints that make a model call a function ({@code tool_choice: "required"} or a named
 * function), so that even a model that has never seen the tools writes a call that parses and whose arguments
 * are valid against the function's {@code parameters}. As in vLLM, the constrained output is plain JSON rather
 * than the model's own tagged format (whose tags are special tokens a grammar over text cannot produce); read it
 * back with {@link ToolCallExtractor#callsJson()} or {@link ToolCallExtractor#argumentsOf}.
 */
public final class ToolCallConstraints {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolCallConstraints() {}

  /** A function as a request gives it: its name and its {@code parameters} schema (null for none). */
  public record Function(String name, JsonNode parameters) {}

  /**
   * One or more calls ({@code parallel}; else exactly one) of any of {@code functions}, as the JSON array
   * {@code [{"name": …, "arguments": {…}}, …]}. Each function's parameters sit under {@code $defs} of the
   * combined schema, their local references rewritten to point there.
   */
  public static OutputConstraint anyOf(List<Function> functions, boolean parallel) {
    if (functions.isEmpty()) {
      throw new IllegalArgumentException("no functions");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "array");
    root.put("minItems", 1);
    if (!parallel) {
      root.put("maxItems", 1);
    }
    ObjectNode defs = JSON.createObjectNode();
    ArrayNode alternatives = JSON.createArrayNode();
    for (int i = 0; i < functions.size(); i++) {
      Function f = functions.get(i);
      String def = "f" + i;
      defs.set(def, rebased(parameters(f.parameters()), "#/$defs/" + def));
      ObjectNode call = alternatives.addObject();
      call.put("type", "object");
      ObjectNode properties = call.putObject("properties");
      properties.putObject("name").put("const", f.name());
      properties.putObject("arguments").put("$ref", "#/$defs/" + def);
      call.putArray("required").add("name").add("arguments");
      call.put("additionalProperties", false);
    }
    if (alternatives.size() == 1) {
      root.set("items", alternatives.get(0));
    } else {
      root.putObject("items").set("anyOf", alternatives);
    }
    root.set("$defs", defs);
    return OutputConstraint.jsonSchema(root.toString());
  }

  /** The arguments of one function: a JSON object valid against its parameters. */
  public static OutputConstraint argumentsOf(Function function) {
    return OutputConstraint.jsonSchema(parameters(function.parameters()).toString());
  }

  /** A function without parameters takes none: {@code {}}. */
  private static JsonNode parameters(JsonNode parameters) {
    if (parameters == null || parameters.isNull()) {
      ObjectNode none = JSON.createObjectNode();
      none.put("type", "object");
      none.putObject("properties");
      none.put("additionalProperties", false);
      return none;
    }
    return parameters;
  }

  /** A copy of {@code schema} whose local references ({@code #…}) resolve from its new place {@code base}. */
  private static JsonNode rebased(JsonNode schema, String base) {
    JsonNode copy = schema.deepCopy();
    rebase(copy, base);
    return copy;
  }

  /** Keywords whose values are data, not schemas: a {@code "$ref"} key inside them is not a reference. */
  private static final java.util.Set<String> DATA = java.util.Set.of("const", "enum", "default", "examples");

  private static void rebase(JsonNode node, String base) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        if ("$ref".equals(field.getKey()) && value.isTextual() && value.textValue().startsWith("#")) {
          field.setValue(TextNode.valueOf(base + value.textValue().substring(1)));
        } else if (!DATA.contains(field.getKey())) {
          rebase(value, base);
        }
      }
    } else if (node.isArray()) {
      node.forEach(child -> rebase(child, base));
    }
  }
}
