package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, validating access to the fields of one JSON object. Every accessor throws an
 * {@link dev.robin.api.error.ApiException} naming the parameter (with its path, e.g. {@code messages[2].role})
 * when the value has the wrong type or lies out of range; JSON {@code null} counts as absent. Fields that no
 * accessor asked for are reported by {@link #unknownFields()} so callers can log and ignore them.
 */
public final class JsonFields {

  private final ObjectNode object;
  private final String path;
  private final Set<String> seen = new LinkedHashSet<>();

  private JsonFields(ObjectNode object, String path) {
    this.object = object;
    this.path = path;
  }

  /** The request body's root; anything but an object is an error. */
  public static JsonFields root(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw ApiError.badRequest(
              "invalid_type",
              null,
              "The request body must be a JSON object, but got " + Json.typeName(node) + " instead.")
          .toException();
    }
    return new JsonFields((ObjectNode) node, "");
  }

  /** A nested object at {@code param} (already known to be an object). */
  public static JsonFields nested(JsonNode node, String param) {
    if (!node.isObject()) {
      throw ApiError.invalidType(param, "an object", Json.typeName(node)).toException();
    }
    return new JsonFields((ObjectNode) node, param + ".");
  }

  /** The full name of a field, as reported in {@code param}. */
  public String param(String name) {
    return path + name;
  }

  /** The raw value, or null when absent or JSON null. */
  public JsonNode raw(String name) {
    seen.add(name);
    JsonNode node = object.get(name);
    return node == null || node.isNull() ? null : node;
  }

  public boolean has(String name) {
    return raw(name) != null;
  }

  public JsonNode required(String name) {
    JsonNode node = raw(name);
    if (node == null) {
      throw ApiError.missing(param(name)).toException();
    }
    return node;
  }

  public String requiredString(String name) {
    JsonNode node = required(name);
    if (!node.isTextual()) {
      throw ApiError.invalidType(param(name), "a string", Json.typeName(node)).toException();
    }
    return node.textValue();
  }

  public String optionalString(String name) {
    JsonNode node = raw(name);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiError.invalidType(param(name), "a string", Json.typeName(node)).toException();
    }
    return node.textValue();
  }

  public boolean bool(String name, boolean fallback) {
    JsonNode node = raw(name);
    if (node == null) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw ApiError.invalidType(param(name), "a boolean", Json.typeName(node)).toException();
    }
    return node.booleanValue();
  }

  /** A number in {@code [min, max]} (or {@code (min, max]} with {@code minExclusive}). */
  public double decimal(String name, double min, boolean minExclusive, double max, double fallback) {
    JsonNode node = raw(name);
    if (node == null) {
      return fallback;
    }
    if (!node.isNumber()) {
      throw ApiError.invalidType(param(name), "a number", Json.typeName(node)).toException();
    }
    double value = node.doubleValue();
    if (value < min || (minExclusive && value == min)) {
      throw ApiError.badRequest(
              "decimal_below_min_value",
              param(name),
              "Invalid '" + param(name) + "': decimal below minimum value. Expected a value "
                  + (minExclusive ? "> " : ">= ") + format(min) + ", but got " + node.asText() + " instead.")
          .toException();
    }
    if (value > max || Double.isNaN(value)) {
      throw ApiError.badRequest(
              "decimal_above_max_value",
              param(name),
              "Invalid '" + param(name) + "': decimal above maximum value. Expected a value <= "
                  + format(max) + ", but got " + node.asText() + " instead.")
          .toException();
    }
    return value;
  }

  /** An integer in {@code [min, max]}; a decimal with an integral value (2.0) is accepted. */
  public Long integer(String name, long min, long max) {
    JsonNode node = raw(name);
    if (node == null) {
      return null;
    }
    return integerValue(node, param(name), min, max);
  }

  public static long integerValue(JsonNode node, String param, long min, long max) {
    if (!node.isNumber()) {
      throw ApiError.invalidType(param, "an integer", Json.typeName(node)).toException();
    }
    BigDecimal value = node.decimalValue();
    if (value.stripTrailingZeros().scale() > 0) {
      throw ApiError.invalidType(param, "an integer", "a decimal").toException();
    }
    if (value.compareTo(BigDecimal.valueOf(min)) < 0) {
      throw ApiError.badRequest(
              "integer_below_min_value",
              param,
              "Invalid '" + param + "': integer below minimum value. Expected a value >= " + min
                  + ", but got " + node.asText() + " instead.")
          .toException();
    }
    if (value.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw ApiError.badRequest(
              "integer_above_max_value",
              param,
              "Invalid '" + param + "': integer above maximum value. Expected a value <= " + max
                  + ", but got " + node.asText() + " instead.")
          .toException();
    }
    return value.longValueExact();
  }

  /** The names of fields present in the object that no accessor read. */
  public List<String> unknownFields() {
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!seen.contains(name)) {
        unknown.add(path + name);
      }
    }
    return unknown;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
