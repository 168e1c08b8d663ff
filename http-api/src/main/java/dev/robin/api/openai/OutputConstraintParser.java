package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.engine.grammar.GrammarException;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a request's output must be: OpenAI's {@code response_format} ({@code text}, {@code json_object},
 * {@code json_schema}), or vLLM's {@code guided_json}, {@code guided_regex} and {@code guided_choice}. At most one
 * may be given. The constraint is checked here, once (a schema with an unsupported keyword, a bad regular
 * expression, an empty choice list: 400 naming the field); each replica compiles it for its vocabulary.
 */
final class OutputConstraintParser {

  static final String RESPONSE_FORMAT = "response_format";
  static final String GUIDED_JSON = "guided_json";
  static final String GUIDED_REGEX = "guided_regex";
  static final String GUIDED_CHOICE = "guided_choice";

  /** Schemas, patterns and choice lists checked lately: a repeated one compiles once here (per JVM). */
  private static final ValidatedConstraints VALIDATED = new ValidatedConstraints(256, OutputConstraint::validate);

  private OutputConstraintParser() {}

  /** The request's output constraint, or null for free text. */
  static OutputConstraint parse(JsonFields f) {
    List<String> given = new ArrayList<>();
    OutputConstraint constraint = null;
    JsonNode responseFormat = f.raw(RESPONSE_FORMAT);
    if (responseFormat != null && !responseFormat.isNull()) {
      constraint = responseFormat(responseFormat);
      if (constraint != null) {
        given.add(RESPONSE_FORMAT);
      }
    }
    JsonNode json = f.raw(GUIDED_JSON);
    if (json != null && !json.isNull()) {
      constraint = OutputConstraint.jsonSchema(schemaText(json, GUIDED_JSON));
      given.add(GUIDED_JSON);
    }
    JsonNode regex = f.raw(GUIDED_REGEX);
    if (regex != null && !regex.isNull()) {
      if (!regex.isTextual()) {
        throw ApiError.invalidType(GUIDED_REGEX, "a string", Json.typeName(regex)).toException();
      }
      constraint = OutputConstraint.regex(regex.textValue());
      given.add(GUIDED_REGEX);
    }
    JsonNode choice = f.raw(GUIDED_CHOICE);
    if (choice != null && !choice.isNull()) {
      constraint = OutputConstraint.choice(choices(choice));
      given.add(GUIDED_CHOICE);
    }
    if (given.size() > 1) {
      throw ApiError.invalidValue(given.get(1),
          "Give one output constraint, not several: " + String.join(", ", given) + ".").toException();
    }
    if (constraint != null) {
      check(constraint, given.get(0));
    }
    return constraint;
  }

  private static OutputConstraint responseFormat(JsonNode node) {
    if (!node.isObject()) {
      throw ApiError.invalidType(RESPONSE_FORMAT, "an object", Json.typeName(node)).toException();
    }
    JsonNode type = node.get("type");
    if (type == null || !type.isTextual()) {
      throw ApiError.badRequest("missing_required_parameter", RESPONSE_FORMAT + ".type",
          "Missing required parameter: 'response_format.type' (text, json_object or json_schema).").toException();
    }
    switch (type.textValue()) {
      case "text":
        return null;
      case "json_object":
        return OutputConstraint.jsonObject();
      case "json_schema":
        JsonNode spec = node.get("json_schema");
        if (spec == null || !spec.isObject()) {
          throw ApiError.badRequest("missing_required_parameter", RESPONSE_FORMAT + ".json_schema",
              "Missing required parameter: 'response_format.json_schema' (an object with the schema).")
              .toException();
        }
        JsonNode schema = spec.get("schema");
        if (schema == null || schema.isNull()) {
          throw ApiError.badRequest("missing_required_parameter", RESPONSE_FORMAT + ".json_schema.schema",
              "Missing required parameter: 'response_format.json_schema.schema'.").toException();
        }
        return OutputConstraint.jsonSchema(schemaText(schema, RESPONSE_FORMAT + ".json_schema.schema"));
      default:
        throw ApiError.invalidValue(RESPONSE_FORMAT + ".type", "Invalid value: '" + type.textValue()
            + "'. Supported values are: 'text', 'json_object' and 'json_schema'.").toException();
    }
  }

  /** A schema given as an object (or, as vLLM also accepts, as a JSON string). */
  private static String schemaText(JsonNode schema, String param) {
    if (schema.isObject() || schema.isBoolean()) {
      return schema.toString();
    }
    if (schema.isTextual()) {
      return schema.textValue();
    }
    throw ApiError.invalidType(param, "a JSON Schema object", Json.typeName(schema)).toException();
  }

  private static List<String> choices(JsonNode node) {
    if (!node.isArray()) {
      throw ApiError.invalidType(GUIDED_CHOICE, "an array of strings", Json.typeName(node)).toException();
    }
    List<String> choices = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        throw ApiError.invalidType(GUIDED_CHOICE + "[" + i + "]", "a string", Json.typeName(item)).toException();
      }
      choices.add(item.textValue());
    }
    return choices;
  }

  /** A constraint Robin can compile, or 400 naming {@code param}. */
  static void check(OutputConstraint constraint, String param) {
    try {
      VALIDATED.check(constraint);
    } catch (GrammarException e) {
      throw ApiError.invalidValue(param, "Invalid " + param + ": " + e.getMessage()).toException();
    }
  }
}
