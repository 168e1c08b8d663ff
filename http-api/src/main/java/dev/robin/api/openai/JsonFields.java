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

  /**
   * Longest identifier a request may carry (a model id, a message or function name, a tool call id), in UTF-16
   * units: generous for any real one, and it keeps a client's megabyte "name" out of lookups, logs and messages.
   */
  public static final int MAX_IDENTIFIER_CHARS = 256;

  /** A string of at most {@code maxChars} characters (UTF-16 units), checked before anything else reads it. */
  public String requiredString(String name, int maxChars) {
    return checkLength(requiredString(name), param(name), maxChars);
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
    return decimalValue(node, param(name), min, minExclusive, max);
  }

  /** An integer in {@code [min, max]}; a decimal with an integral value (2.0) is accepted. */
  public Long integer(String name, long min, long max) {
    JsonNode node = raw(name);
    if (node == null) {
      return null;
    }
    return integerValue(node, param(name), min, max);
  }

  /**
   * The one way a number in a request becomes a {@code double}: anything but a finite number in range (or
   * {@code (min, max]} with {@code minExclusive}) is a 400 naming {@code param}. A literal beyond the range of a
   * double ({@code 1e309}) is read as infinite and so refused as out of range, never as a server error.
   */
  public static double decimalValue(JsonNode node, String param, double min, boolean minExclusive, double max) {
    if (!node.isNumber()) {
      throw ApiError.invalidType(param, "a number", Json.typeName(node)).toException();
    }
    double value = node.doubleValue();
    if (value < min || (minExclusive && value == min)) {
      throw outOfRange("decimal_below_min_value", param, "decimal below minimum value",
          (minExclusive ? "> " : ">= ") + format(min), node);
    }
    if (!(value <= max)) { // also NaN
      throw outOfRange("decimal_above_max_value", param, "decimal above maximum value", "<= " + format(max), node);
    }
    return value;
  }

  /**
   * The one way a number in a request becomes a {@code long}: anything but an integer in {@code [min, max]} is a
   * 400 naming {@code param}. A decimal with an integral value (2.0, -0.0) is accepted; a fraction (1.5) is the
   * wrong type; a literal too large for any Java number ({@code 1e309}, {@code 12345678901234567890123}) is out
   * of range.
   */
  public static long integerValue(JsonNode node, String param, long min, long max) {
    if (!node.isNumber()) {
      throw ApiError.invalidType(param, "an integer", Json.typeName(node)).toException();
    }
    if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      // Jackson reads a literal beyond a double's range as infinite; BigDecimal cannot hold that.
      throw node.doubleValue() > 0
          ? outOfRange("integer_above_max_value", param, "integer above maximum value", "<= " + max, node)
          : outOfRange("integer_below_min_value", param, "integer below minimum value", ">= " + min, node);
    }
    BigDecimal value = node.decimalValue();
    if (value.compareTo(BigDecimal.valueOf(min)) < 0) {
      throw outOfRange("integer_below_min_value", param, "integer below minimum value", ">= " + min, node);
    }
    if (value.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw outOfRange("integer_above_max_value", param, "integer above maximum value", "<= " + max, node);
    }
    // In range, so the scale is small: stripping zeros cannot blow up.
    if (value.stripTrailingZeros().scale() > 0) {
      throw ApiError.invalidType(param, "an integer", "a decimal").toException();
    }
    return value.longValueExact();
  }

  /**
   * An integer written as a JSON string (an object key such as {@code logit_bias}'s {@code "50256"}): plain
   * decimal digits only, at most as many as {@code max} has, in {@code [min, max]} ({@code min >= 0}).
   */
  public static long integerInString(String text, String param, long min, long max) {
    boolean digits = !text.isEmpty() && text.length() <= Long.toString(max).length()
        && text.chars().allMatch(c -> c >= '0' && c <= '9');
    long value = digits ? Long.parseLong(text) : -1;
    if (!digits || value < min || value > max) {
      throw ApiError.invalidValue(param, "Invalid '" + param + "': expected an integer in [" + min + ", " + max
          + "] written as a string, but got '" + abbreviate(text) + "'.").toException();
    }
    return value;
  }

  /**
   * A string of at most {@code maxChars} characters (UTF-16 units, checked before anything else reads it), or
   * null when absent.
   */
  public String optionalString(String name, int maxChars) {
    String value = optionalString(name);
    if (value != null) {
      checkLength(value, param(name), maxChars);
    }
    return value;
  }

  /** Refuses a string longer than {@code maxChars} UTF-16 units with a 400 naming {@code param}. */
  public static String checkLength(String value, String param, int maxChars) {
    if (value.length() > maxChars) {
      throw ApiError.badRequest("string_above_max_length", param, "Invalid '" + param
              + "': string too long. Expected a string with maximum length " + maxChars + ", but got a string with "
              + "length " + value.length() + " instead.")
          .toException();
    }
    return value;
  }

  private static dev.robin.api.error.ApiException outOfRange(
      String code, String param, String what, String expected, JsonNode node) {
    return ApiError.badRequest(code, param, "Invalid '" + param + "': " + what + ". Expected a value " + expected
            + ", but got " + abbreviate(node.asText()) + " instead.")
        .toException();
  }

  /** A client's text as quoted back in a message: long enough to recognize, never the whole of a huge value. */
  public static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "…";
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
