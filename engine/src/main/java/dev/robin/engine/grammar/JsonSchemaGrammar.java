package dev.robin.engine.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON Schema → {@link Grammar}: the JSON documents the grammar generates all validate against the schema.
 *
 * <p>Supported: {@code type} (a name or a list), {@code enum}, {@code const}; objects: {@code properties} (written
 * in the schema's order), {@code required}, {@code additionalProperties} ({@code false}, {@code true} or a schema;
 * absent counts as {@code false} when {@code properties} are given, so a model writes only the listed ones, and
 * as "any property" when none are); arrays: {@code items}, {@code prefixItems}, {@code minItems}, {@code maxItems} (up to
 * {@value #MAX_ITEMS} items generated); strings: {@code minLength}, {@code maxLength} (in code points, up to
 * {@value #MAX_LENGTH} generated), {@code pattern} (matched as a whole: anchors
 * implied, see {@link Regex}), {@code format} (see {@link StringFormats}); numbers and integers: {@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum} (numbers or draft-4 booleans; integer ranges
 * exact, number ranges exact for any decimal bound, see {@link JsonNumbers}); {@code anyOf}, {@code oneOf} (as
 * {@code anyOf}: branches that overlap may yield a document matching two), a one-element {@code allOf}; local
 * {@code $ref} (any JSON pointer into the document, {@code #/$defs/..}, {@code #/definitions/..}, {@code #}),
 * recursion included; boolean schemas. Annotations ({@code title}, {@code description}, {@code default}, ...)
 * are ignored; any other keyword is refused with an {@link UnsupportedSchemaException} naming it and its place.
 *
 * <p>Whitespace: none, except one optional space after each {@code :} and {@code ,} (as most models write
 * JSON inline). Bounded, so a model cannot stall in endless whitespace.
 */
final class JsonSchemaGrammar {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ANY = "json:any";

  private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$comment", "examples", "default",
      "deprecated", "readOnly", "writeOnly", "$schema", "$id", "$defs", "definitions", "$anchor",
      "contentEncoding", "contentMediaType");
  private static final Set<String> OBJECT = Set.of("properties", "required", "additionalProperties");
  private static final Set<String> ARRAY = Set.of("items", "prefixItems", "minItems", "maxItems", "uniqueItems");
  private static final Set<String> STRING = Set.of("minLength", "maxLength", "pattern", "format");
  private static final Set<String> NUMBER = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
  private static final Set<String> COMBINATORS = Set.of("anyOf", "oneOf", "allOf", "$ref", "enum", "const", "type");
  private static final List<String> TYPES = List.of("object", "array", "string", "integer", "number", "boolean",
      "null");

  /**
   * Upper bounds above these are generated as these (arrays of at most 128 items, strings of at most 1,000
   * characters): every document still validates, and a schema's automaton stays small. Lower bounds above them
   * are refused.
   */
  static final int MAX_ITEMS = 128;
  static final int MAX_LENGTH = 1000;

  private static final Expr COLON = Expr.seq(Expr.symbol(':'), Expr.optional(Expr.symbol(' ')));
  private static final Expr COMMA = Expr.seq(Expr.symbol(','), Expr.optional(Expr.symbol(' ')));

  private final JsonNode root;
  private final Map<String, Expr> rules = new LinkedHashMap<>();
  private final Set<String> started = new HashSet<>();

  private JsonSchemaGrammar(JsonNode root) {
    this.root = root;
  }

  static Grammar compile(String schemaJson) {
    JsonNode node;
    try {
      node = JSON.readTree(schemaJson);
    } catch (IOException e) {
      throw new GrammarException("the JSON Schema is not valid JSON: " + e.getMessage(), e);
    }
    if (node == null || !(node.isObject() || node.isBoolean())) {
      throw new UnsupportedSchemaException("type", "", "a JSON Schema must be an object or a boolean");
    }
    JsonSchemaGrammar c = new JsonSchemaGrammar(node);
    Expr start = c.schema(node, "");
    return Grammar.compile(c.rules, start, "json_schema");
  }

  static Grammar anyObject() {
    JsonSchemaGrammar c = new JsonSchemaGrammar(JSON.createObjectNode());
    c.defineAny();
    return Grammar.compile(c.rules, c.anyObjectExpr(), "json_object");
  }

  // ---- any JSON value ----------------------------------------------------------------------------------------

  private void defineAny() {
    if (rules.containsKey(ANY)) {
      return;
    }
    Expr any = new Expr.Ref(ANY);
    Expr array = Expr.seq(Expr.symbol('['),
        Expr.optional(Expr.seq(any, Expr.star(Expr.seq(COMMA, any)))), Expr.symbol(']'));
    rules.put(ANY, Expr.alt(anyObjectExpr(), array, anyString(), JsonNumbers.anyNumber(), Expr.literal("true"),
        Expr.literal("false"), Expr.literal("null")));
  }

  private Expr anyValue() {
    defineAny();
    return new Expr.Ref(ANY);
  }

  private Expr anyObjectExpr() {
    Expr member = Expr.seq(anyString(), COLON, new Expr.Ref(ANY));
    return Expr.seq(Expr.symbol('{'), new Expr.OrderedList(List.of(), List.of(), COMMA, member),
        Expr.symbol('}'));
  }

  private static Expr anyString() {
    return quoted(Dfa.of(Expr.star(CodePointSet.ALL.expr())));
  }

  private static Expr quoted(Dfa content) {
    return Expr.seq(Expr.symbol('"'), new Expr.Chars(content, CharEncoding.JSON_STRING), Expr.symbol('"'));
  }

  // ---- schemas -----------------------------------------------------------------------------------------------

  private Expr schema(JsonNode node, String ptr) {
    if (node.isBoolean()) {
      return node.booleanValue() ? anyValue() : Expr.NOTHING;
    }
    if (!node.isObject()) {
      throw new UnsupportedSchemaException("type", ptr, "a schema must be an object or a boolean");
    }
    Set<String> keywords = new LinkedHashSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (ANNOTATIONS.contains(k)) {
        continue;
      }
      if (!OBJECT.contains(k) && !ARRAY.contains(k) && !STRING.contains(k) && !NUMBER.contains(k)
          && !COMBINATORS.contains(k)) {
        throw new UnsupportedSchemaException(k, ptr, "keyword not supported for constrained generation");
      }
      keywords.add(k);
    }
    if (node.has("uniqueItems") && node.get("uniqueItems").asBoolean(false)) {
      throw new UnsupportedSchemaException("uniqueItems", ptr, "uniqueItems: true is not supported");
    }
    if (keywords.contains("$ref")) {
      requireAlone(keywords, "$ref", ptr);
      return ref(node.get("$ref"), ptr);
    }
    if (keywords.contains("allOf")) {
      requireAlone(keywords, "allOf", ptr);
      JsonNode all = node.get("allOf");
      if (!all.isArray() || all.size() != 1) {
        throw new UnsupportedSchemaException("allOf", ptr, "only an allOf of exactly one schema is supported");
      }
      return schema(all.get(0), ptr + "/allOf/0");
    }
    for (String k : List.of("anyOf", "oneOf")) {
      if (keywords.contains(k)) {
        requireAlone(keywords, k, ptr);
        JsonNode list = node.get(k);
        if (!list.isArray() || list.isEmpty()) {
          throw new UnsupportedSchemaException(k, ptr, k + " must be a non-empty array of schemas");
        }
        List<Expr> alts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          alts.add(schema(list.get(i), ptr + "/" + k + "/" + i));
        }
        return Expr.alt(alts);
      }
    }
    Set<String> types = types(node, keywords, ptr);
    if (keywords.contains("enum") || keywords.contains("const")) {
      return enumeration(node, keywords, types, ptr);
    }
    List<Expr> alts = new ArrayList<>();
    for (String t : TYPES) {
      if (types.contains(t)) {
        alts.add(typed(t, node, ptr));
      }
    }
    return Expr.alt(alts);
  }

  private static void requireAlone(Set<String> keywords, String keyword, String ptr) {
    for (String k : keywords) {
      if (!k.equals(keyword)) {
        throw new UnsupportedSchemaException(k, ptr, "'" + k + "' beside '" + keyword + "' is not supported");
      }
    }
  }

  /** The types a schema allows: its {@code type}, else those its keywords imply, else all. */
  private static Set<String> types(JsonNode node, Set<String> keywords, String ptr) {
    Set<String> types = new LinkedHashSet<>();
    JsonNode type = node.get("type");
    if (type != null) {
      List<JsonNode> names = new ArrayList<>();
      if (type.isArray()) {
        type.forEach(names::add);
      } else {
        names.add(type);
      }
      for (JsonNode n : names) {
        if (!n.isTextual() || !TYPES.contains(n.asText())) {
          throw new UnsupportedSchemaException("type", ptr, "unknown type " + n);
        }
        types.add(n.asText());
      }
      return types;
    }
    for (String k : keywords) {
      if (OBJECT.contains(k)) {
        types.add("object");
      } else if (ARRAY.contains(k) && !k.equals("uniqueItems")) {
        types.add("array");
      } else if (STRING.contains(k)) {
        types.add("string");
      } else if (NUMBER.contains(k)) {
        types.add("number");
      }
    }
    if (types.isEmpty()) {
      types.addAll(TYPES);
    }
    return types;
  }

  private Expr typed(String type, JsonNode node, String ptr) {
    switch (type) {
      case "object":
        return object(node, ptr);
      case "array":
        return array(node, ptr);
      case "string":
        return string(node, ptr);
      case "integer":
        return integer(node, ptr);
      case "number":
        return number(node, ptr);
      case "boolean":
        return Expr.alt(Expr.literal("true"), Expr.literal("false"));
      case "null":
        return Expr.literal("null");
      default:
        throw new IllegalStateException(type);
    }
  }

  // ---- $ref ------------------------------------------------------------------------------------------------

  private Expr ref(JsonNode refNode, String ptr) {
    if (!refNode.isTextual() || !refNode.asText().startsWith("#")) {
      throw new UnsupportedSchemaException("$ref", ptr, "only local references (#...) are supported, not "
          + refNode);
    }
    String pointer;
    JsonNode target;
    try {
      // A URI fragment: percent-escapes decoded, a '+' kept as it is (it is no space in a fragment).
      pointer = URLDecoder.decode(refNode.asText().substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
      if (!pointer.isEmpty() && !pointer.startsWith("/")) {
        throw new UnsupportedSchemaException("$ref", ptr, "anchors are not supported: " + refNode.asText());
      }
      target = root.at(pointer);
    } catch (IllegalArgumentException e) { // a bad percent-escape, or a JSON pointer with a bad ~ escape
      throw new UnsupportedSchemaException("$ref", ptr, "malformed reference " + refNode.asText() + ": "
          + e.getMessage());
    }
    if (target.isMissingNode()) {
      throw new UnsupportedSchemaException("$ref", ptr, "reference " + refNode.asText() + " points nowhere");
    }
    String name = "ref:" + pointer;
    if (started.add(name)) {
      rules.put(name, schema(target, pointer));
    }
    return new Expr.Ref(name);
  }

  // ---- enum / const ------------------------------------------------------------------------------------------

  private Expr enumeration(JsonNode node, Set<String> keywords, Set<String> types, String ptr) {
    for (String k : keywords) {
      if (!k.equals("enum") && !k.equals("const") && !k.equals("type")) {
        throw new UnsupportedSchemaException(k, ptr, "'" + k + "' beside enum/const is not supported");
      }
    }
    List<JsonNode> values = new ArrayList<>();
    if (node.has("const")) {
      values.add(node.get("const"));
    }
    if (node.has("enum")) {
      JsonNode e = node.get("enum");
      if (!e.isArray()) {
        throw new UnsupportedSchemaException("enum", ptr, "enum must be an array");
      }
      if (node.has("const")) {
        List<JsonNode> both = new ArrayList<>();
        for (JsonNode v : e) {
          if (v.equals(node.get("const"))) {
            both.add(v);
          }
        }
        values = both;
      } else {
        e.forEach(values::add);
      }
    }
    List<Expr> alts = new ArrayList<>();
    for (JsonNode v : values) {
      if (!isFinite(v)) { // 1e309 would be generated as "Infinity", which is not JSON
        throw new UnsupportedSchemaException(node.has("enum") ? "enum" : "const", ptr,
            "a number beyond the range of a double");
      }
      if (types.contains(typeOf(v)) || (typeOf(v).equals("integer") && types.contains("number"))
          || (typeOf(v).equals("number") && types.contains("integer") && isIntegral(v))) {
        alts.add(Expr.literal(canonical(v)));
      }
    }
    if (alts.isEmpty()) {
      throw new UnsupportedSchemaException(node.has("enum") ? "enum" : "const", ptr,
          "no value is allowed (empty enum, or none of the values has an allowed type)");
    }
    return Expr.alt(alts);
  }

  private static boolean isIntegral(JsonNode v) {
    // A literal beyond a double's range (1e309) is read as infinite, which BigDecimal cannot hold.
    return v.isNumber() && isFinite(v) && v.decimalValue().stripTrailingZeros().scale() <= 0;
  }

  private static boolean isFinite(JsonNode v) {
    return !v.isFloatingPointNumber() || Double.isFinite(v.doubleValue());
  }

  private static String typeOf(JsonNode v) {
    if (v.isObject()) {
      return "object";
    } else if (v.isArray()) {
      return "array";
    } else if (v.isTextual()) {
      return "string";
    } else if (v.isIntegralNumber()) {
      return "integer";
    } else if (v.isNumber()) {
      return "number";
    } else if (v.isBoolean()) {
      return "boolean";
    }
    return "null";
  }

  /** Compact JSON, strings spelled as the grammar spells them. */
  static String canonical(JsonNode v) {
    if (v.isTextual()) {
      return CharEncoding.jsonQuote(v.asText());
    }
    if (v.isObject()) {
      StringBuilder sb = new StringBuilder("{");
      Iterator<Map.Entry<String, JsonNode>> it = v.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        sb.append(CharEncoding.jsonQuote(e.getKey())).append(':').append(canonical(e.getValue()));
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      return sb.append('}').toString();
    }
    if (v.isArray()) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < v.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(canonical(v.get(i)));
      }
      return sb.append(']').toString();
    }
    return v.toString();
  }

  // ---- objects -----------------------------------------------------------------------------------------------

  private Expr object(JsonNode node, String ptr) {
    JsonNode props = node.get("properties");
    if (props != null && !props.isObject()) {
      throw new UnsupportedSchemaException("properties", ptr, "properties must be an object");
    }
    Set<String> required = new LinkedHashSet<>();
    JsonNode req = node.get("required");
    if (req != null) {
      if (!req.isArray()) {
        throw new UnsupportedSchemaException("required", ptr, "required must be an array of names");
      }
      req.forEach(r -> required.add(r.asText()));
    }
    JsonNode additional = node.get("additionalProperties");
    boolean hasProps = props != null && props.size() > 0;
    // Absent additionalProperties: only the listed properties, or any when none are listed.
    JsonNode extra = additional != null ? additional
        : JSON.getNodeFactory().booleanNode(!hasProps);
    List<Expr> items = new ArrayList<>();
    List<Boolean> requiredFlags = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    if (props != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        names.add(e.getKey());
        String childPtr = ptr + "/properties/" + escapePointer(e.getKey());
        Expr value = schema(e.getValue(), childPtr);
        boolean isRequired = required.contains(e.getKey());
        if (Expr.isNothing(value)) {
          if (isRequired) {
            throw new UnsupportedSchemaException("required", ptr, "required property '" + e.getKey()
                + "' has a schema no value satisfies");
          }
          continue;
        }
        items.add(Expr.seq(Expr.literal(CharEncoding.jsonQuote(e.getKey())), COLON, value));
        requiredFlags.add(isRequired);
      }
    }
    // Required names not among the properties take the additionalProperties schema.
    for (String r : required) {
      if (!names.contains(r)) {
        if (extra.isBoolean() && !extra.booleanValue()) {
          throw new UnsupportedSchemaException("required", ptr, "required property '" + r
              + "' is not in properties and additionalProperties is false");
        }
        names.add(r);
        items.add(Expr.seq(Expr.literal(CharEncoding.jsonQuote(r)), COLON,
            schema(extra, ptr + "/additionalProperties")));
        requiredFlags.add(true);
      }
    }
    Expr repeated = null;
    if (!(extra.isBoolean() && !extra.booleanValue())) {
      Expr value = extra.isBoolean() ? anyValue() : schema(extra, ptr + "/additionalProperties");
      if (!Expr.isNothing(value)) {
        Dfa anyKey = Dfa.of(Expr.star(CodePointSet.ALL.expr()));
        if (!names.isEmpty()) {
          List<Expr> listed = new ArrayList<>();
          for (String n : names) {
            listed.add(Expr.codePoints(n));
          }
          anyKey = anyKey.minus(Dfa.of(Expr.alt(listed)));
        }
        repeated = Expr.seq(quoted(anyKey), COLON, value);
      }
    }
    return Expr.seq(Expr.symbol('{'), new Expr.OrderedList(items, requiredFlags, COMMA, repeated),
        Expr.symbol('}'));
  }

  private static String escapePointer(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }

  // ---- arrays ------------------------------------------------------------------------------------------------

  private Expr array(JsonNode node, String ptr) {
    int min = nonNegative(node, "minItems", ptr, 0);
    int max = nonNegative(node, "maxItems", ptr, -1);
    if (min > MAX_ITEMS) {
      throw new UnsupportedSchemaException("minItems", ptr, "minItems above " + MAX_ITEMS + " is not supported");
    }
    if (max > MAX_ITEMS) {
      max = MAX_ITEMS;
    }
    List<Expr> prefix = new ArrayList<>();
    JsonNode prefixItems = node.get("prefixItems");
    if (prefixItems != null) {
      if (!prefixItems.isArray()) {
        throw new UnsupportedSchemaException("prefixItems", ptr, "prefixItems must be an array of schemas");
      }
      for (int i = 0; i < prefixItems.size(); i++) {
        prefix.add(schema(prefixItems.get(i), ptr + "/prefixItems/" + i));
      }
    }
    JsonNode items = node.get("items");
    Expr item;
    if (items == null) {
      item = anyValue();
    } else if (items.isArray()) {
      throw new UnsupportedSchemaException("items", ptr, "items as an array (draft 4 tuples) is not supported;"
          + " use prefixItems");
    } else {
      item = schema(items, ptr + "/items");
    }
    if (Expr.isNothing(item)) { // no items beyond the prefix
      max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
    }
    if (max >= 0 && min > max) {
      throw new UnsupportedSchemaException("minItems", ptr, "no array length satisfies minItems and maxItems");
    }
    if (max == 0) {
      return Expr.literal("[]");
    }
    Expr elements = Expr.seq(element(prefix, item, 0), tail(prefix, item, 1, min, max));
    return Expr.seq(Expr.symbol('['), min == 0 ? Expr.optional(elements) : elements, Expr.symbol(']'));
  }

  private static Expr element(List<Expr> prefix, Expr item, int i) {
    return i < prefix.size() ? prefix.get(i) : item;
  }

  /** Elements from index {@code i} on (each after a comma), for a length in [min, max]. */
  private static Expr tail(List<Expr> prefix, Expr item, int i, int min, int max) {
    if (max >= 0 && i >= max) {
      return Expr.EMPTY;
    }
    if (max < 0 && i >= prefix.size() && i >= min) {
      return Expr.star(Expr.seq(COMMA, item));
    }
    Expr more = Expr.seq(COMMA, element(prefix, item, i), tail(prefix, item, i + 1, min, max));
    return i >= min ? Expr.optional(more) : more;
  }

  private static int nonNegative(JsonNode node, String keyword, String ptr, int absent) {
    JsonNode v = node.get(keyword);
    if (v == null) {
      return absent;
    }
    if (!v.canConvertToInt() || !isIntegral(v) || v.asInt() < 0) {
      throw new UnsupportedSchemaException(keyword, ptr, keyword + " must be a non-negative integer");
    }
    return v.asInt();
  }

  // ---- strings -----------------------------------------------------------------------------------------------

  private Expr string(JsonNode node, String ptr) {
    int min = nonNegative(node, "minLength", ptr, 0);
    int max = nonNegative(node, "maxLength", ptr, -1);
    if (min > MAX_LENGTH) {
      throw new UnsupportedSchemaException("minLength", ptr, "minLength above " + MAX_LENGTH + " is not supported");
    }
    if (max > MAX_LENGTH) {
      max = MAX_LENGTH;
    }
    Dfa content = Dfa.of(Expr.repeat(CodePointSet.ALL.expr(), min, max));
    JsonNode pattern = node.get("pattern");
    if (pattern != null) {
      try {
        content = content.intersect(Regex.compile(pattern.asText()));
      } catch (GrammarException e) {
        throw new UnsupportedSchemaException("pattern", ptr, e.getMessage());
      }
    }
    JsonNode format = node.get("format");
    if (format != null) {
      String regex = StringFormats.regex(format.asText());
      if (regex == null) {
        throw new UnsupportedSchemaException("format", ptr, "format '" + format.asText()
            + "' is not supported (supported: " + StringFormats.supported() + ")");
      }
      content = content.intersect(Regex.compile(regex));
    }
    content = content.trim();
    if (content.acceptsNothing()) {
      return Expr.NOTHING;
    }
    return quoted(content);
  }

  // ---- numbers -----------------------------------------------------------------------------------------------

  private record Bounds(BigDecimal lo, boolean loExclusive, BigDecimal hi, boolean hiExclusive) {}

  private static Bounds bounds(JsonNode node, String ptr) {
    BigDecimal lo = decimal(node, "minimum", ptr);
    BigDecimal hi = decimal(node, "maximum", ptr);
    boolean loEx = false;
    boolean hiEx = false;
    JsonNode exMin = node.get("exclusiveMinimum");
    if (exMin != null) {
      if (exMin.isBoolean()) { // draft 4
        loEx = exMin.booleanValue();
      } else {
        BigDecimal v = decimal(node, "exclusiveMinimum", ptr);
        if (lo == null || v.compareTo(lo) >= 0) {
          lo = v;
          loEx = true;
        }
      }
    }
    JsonNode exMax = node.get("exclusiveMaximum");
    if (exMax != null) {
      if (exMax.isBoolean()) {
        hiEx = exMax.booleanValue();
      } else {
        BigDecimal v = decimal(node, "exclusiveMaximum", ptr);
        if (hi == null || v.compareTo(hi) <= 0) {
          hi = v;
          hiEx = true;
        }
      }
    }
    return new Bounds(lo, loEx, hi, hiEx);
  }

  private static BigDecimal decimal(JsonNode node, String keyword, String ptr) {
    JsonNode v = node.get(keyword);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw new UnsupportedSchemaException(keyword, ptr, keyword + " must be a number");
    }
    if (!isFinite(v)) {
      throw new UnsupportedSchemaException(keyword, ptr, keyword + " is too large or too precise");
    }
    BigDecimal d = v.decimalValue();
    if (d.abs().compareTo(new BigDecimal("1e100")) > 0 || d.scale() > 100) {
      throw new UnsupportedSchemaException(keyword, ptr, keyword + " is too large or too precise");
    }
    return d;
  }

  private static Expr integer(JsonNode node, String ptr) {
    Bounds b = bounds(node, ptr);
    BigInteger lo = null;
    BigInteger hi = null;
    if (b.lo() != null) {
      BigDecimal c = b.lo().setScale(0, RoundingMode.CEILING);
      lo = c.toBigIntegerExact();
      if (b.loExclusive() && c.compareTo(b.lo()) == 0) {
        lo = lo.add(BigInteger.ONE);
      }
    }
    if (b.hi() != null) {
      BigDecimal f = b.hi().setScale(0, RoundingMode.FLOOR);
      hi = f.toBigIntegerExact();
      if (b.hiExclusive() && f.compareTo(b.hi()) == 0) {
        hi = hi.subtract(BigInteger.ONE);
      }
    }
    return JsonNumbers.integer(lo, hi);
  }

  private static Expr number(JsonNode node, String ptr) {
    Bounds b = bounds(node, ptr);
    return JsonNumbers.number(b.lo(), b.loExclusive(), b.hi(), b.hiExclusive());
  }
}
