package dev.robin.engine.chat.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's value semantics, as Jinja2 templates see them. Values are: {@code null} (None), {@link Boolean},
 * {@link Long} (int), {@link Double} (float), {@link String} (str, indexed by code point), {@link List}
 * (list), {@link PyTuple}, {@link Map} (dict, insertion-ordered), {@link Undefined}, {@link Namespace},
 * {@link PyCallable} and a few runtime objects ({@code loop}, views). {@link #wrap} turns Java and JSON
 * values into these.
 */
final class Py {

  private Py() {}

  // ---------------------------------------------------------------------------------------------- values

  /** A Java value (maps, lists, arrays, boxed numbers, Jackson trees) as a template value; copies containers. */
  static Object wrap(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
        || value instanceof Double || value instanceof Undefined || value instanceof PyCallable
        || value instanceof Namespace || value instanceof PyTuple) {
      return value;
    }
    if (value instanceof JsonNode node) {
      return fromJson(node);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof java.math.BigInteger b) {
      return b.longValueExact();
    }
    if (value instanceof BigDecimal b) {
      return b.doubleValue();
    }
    if (value instanceof CharSequence || value instanceof Character) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(wrap(e.getKey()), wrap(e.getValue()));
      }
      return out;
    }
    if (value instanceof Collection<?> items) {
      List<Object> out = new ArrayList<>(items.size());
      for (Object item : items) {
        out.add(wrap(item));
      }
      return out;
    }
    if (value instanceof Object[] array) {
      return wrap(java.util.Arrays.asList(array));
    }
    throw new IllegalArgumentException("no template value for " + value.getClass().getName());
  }

  /** A JSON tree as Python's {@code json.loads} would give it. */
  static Object fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        out.add(fromJson(item));
      }
      return out;
    }
    if (node.isObject()) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), fromJson(e.getValue()));
      }
      return out;
    }
    return node.asText();
  }

  static boolean isInt(Object v) {
    return v instanceof Long || v instanceof Boolean;
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof Boolean;
  }

  static long toLong(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    return (Long) v;
  }

  static double toDouble(Object v) {
    if (v instanceof Double d) {
      return d;
    }
    return toLong(v);
  }

  /** An int argument, as Python's index protocol takes it (ints and bools only). */
  static long index(Object v, String what) {
    if (isInt(v)) {
      return toLong(v);
    }
    throw TemplateRuntimeError.type(what + " must be an integer, not " + typeName(v));
  }

  static boolean truthy(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0.0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** Python's {@code type(v).__name__}. */
  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof PyTuple) {
      return "tuple";
    }
    if (v instanceof DictView view) {
      return view.kind;
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Namespace) {
      return "Namespace";
    }
    if (v instanceof Loop) {
      return "LoopContext";
    }
    if (v instanceof Nodes.Macro) {
      return "Macro";
    }
    if (v instanceof PyCallable) {
      return "builtin_function_or_method";
    }
    return v.getClass().getSimpleName();
  }

  /** Jinja2's {@code object_type_repr}: {@code "dict object"}, {@code "None"}, … */
  static String objectTypeRepr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Namespace) {
      return "jinja2.utils.Namespace object";
    }
    if (v instanceof Loop) {
      return "jinja2.runtime.LoopContext object";
    }
    if (v instanceof Nodes.Macro) {
      return "jinja2.runtime.Macro object";
    }
    return typeName(v) + " object";
  }

  // ------------------------------------------------------------------------------------------- str, repr

  /** Python's {@code str(v)}, as {@code {{ v }}} prints it ({@link Undefined} prints as nothing). */
  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long l) {
      return l.toString();
    }
    if (v instanceof Double d) {
      return floatRepr(d);
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  static String repr(Object v) {
    if (v instanceof String s) {
      return stringRepr(s);
    }
    if (v instanceof DictView view) {
      StringBuilder out = new StringBuilder(view.kind).append('(');
      appendItems(out, view, '[', ']');
      return out.append(')').toString();
    }
    if (v instanceof PyTuple t) {
      StringBuilder out = new StringBuilder();
      appendItems(out, t, '(', ')');
      if (t.size() == 1) {
        out.insert(out.length() - 1, ',');
      }
      return out.toString();
    }
    if (v instanceof List<?> list) {
      StringBuilder out = new StringBuilder();
      appendItems(out, list, '[', ']');
      return out.toString();
    }
    if (v instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        out.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
      }
      return out.append('}').toString();
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    if (v instanceof Namespace || v instanceof Loop || v instanceof Nodes.Macro) {
      return v.toString();
    }
    if (v instanceof PyCallable) {
      return "<built-in function>";
    }
    return str(v);
  }

  private static void appendItems(StringBuilder out, List<?> items, char open, char close) {
    out.append(open);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(repr(items.get(i)));
    }
    out.append(close);
  }

  /** Python's {@code repr(str)}: single quotes unless the text has ' and no ", escapes for the unprintable. */
  static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (c == quote || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else if (c < 0x7f || isPrintable(c)) {
        out.appendCodePoint(c);
      } else if (c <= 0xff) {
        out.append(String.format("\\x%02x", c));
      } else if (c <= 0xffff) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
    }
    return out.append(quote).toString();
  }

  /** Python's {@code str.isprintable} for one character: not Cc, Cf, Cs, Co, Cn, Zl, Zp, or Zs but space. */
  private static boolean isPrintable(int c) {
    switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
        return false;
      case Character.SPACE_SEPARATOR:
        return c == ' ';
      default:
        return true;
    }
  }

  /** Python's {@code repr(float)}: the shortest digits that read back as the same double. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(d);
    BigDecimal shortest = exact;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == d) {
        shortest = rounded;
        break;
      }
    }
    shortest = shortest.stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - shortest.scale(); // of the first digit
    StringBuilder out = new StringBuilder();
    if (d < 0) {
      out.append('-');
    }
    if (exponent >= -4 && exponent < 16) {
      if (exponent < 0) {
        out.append("0.").append("0".repeat(-exponent - 1)).append(digits);
      } else if (digits.length() <= exponent + 1) {
        out.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
      } else {
        out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
      }
      return out.toString();
    }
    out.append(digits.charAt(0));
    if (digits.length() > 1) {
      out.append('.').append(digits, 1, digits.length());
    }
    out.append('e').append(exponent < 0 ? '-' : '+');
    int abs = Math.abs(exponent);
    if (abs < 10) {
      out.append('0');
    }
    return out.append(abs).toString();
  }

  // ------------------------------------------------------------------------------------ strings by code point

  static boolean hasSurrogates(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  static int length(String s) {
    return hasSurrogates(s) ? s.codePointCount(0, s.length()) : s.length();
  }

  static int[] codePoints(String s) {
    return s.codePoints().toArray();
  }

  static List<Object> chars(String s) {
    List<Object> out = new ArrayList<>(s.length());
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      int n = Character.charCount(c);
      out.add(s.substring(i, i + n));
      i += n;
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------- equality

  static boolean eq(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) == toDouble(b);
      }
      return toLong(a) == toLong(b);
    }
    if (a instanceof String || b instanceof String) {
      return a.equals(b);
    }
    if (a instanceof Undefined || b instanceof Undefined) {
      return a instanceof Undefined && b instanceof Undefined;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if ((a instanceof PyTuple) != (b instanceof PyTuple) || x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        Object key = findKey(y, e.getKey());
        if (key == MISSING || !eq(e.getValue(), y.get(key))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  static final Object MISSING = new Object();

  /** The key of {@code map} equal to {@code key} in Python's sense (1 == 1.0 == True), or {@link #MISSING}. */
  static Object findKey(Map<?, ?> map, Object key) {
    if (map.containsKey(key)) {
      return key;
    }
    if (isNumber(key)) {
      for (Object k : map.keySet()) {
        if (isNumber(k) && eq(k, key)) {
          return k;
        }
      }
    }
    return MISSING;
  }

  /** Python ordering: numbers, strings (by code point), lists and tuples; anything else is a TypeError. */
  static int compare(Object a, Object b, String op) {
    if (a instanceof Undefined u) {
      throw u.fail();
    }
    if (b instanceof Undefined u) {
      throw u.fail();
    }
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return Double.compare(toDouble(a), toDouble(b));
      }
      return Long.compare(toLong(a), toLong(b));
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return compare(x.get(i), y.get(i), op);
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    throw TemplateRuntimeError.type("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Boolean.compare(i < x.length(), j < y.length());
  }

  /** {@code item in container}. */
  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String sub)) {
        throw TemplateRuntimeError.type("'in <string>' requires string as left operand, not " + typeName(item));
      }
      return s.contains(sub);
    }
    if (container instanceof Map<?, ?> map) {
      return findKey(map, item) != MISSING;
    }
    if (container instanceof Undefined) {
      return false;
    }
    if (container instanceof List<?> list) {
      for (Object o : list) {
        if (eq(o, item)) {
          return true;
        }
      }
      return false;
    }
    throw TemplateRuntimeError.type("argument of type '" + typeName(container) + "' is not iterable");
  }

  // ------------------------------------------------------------------------------------------ arithmetic

  private static void noUndefined(Object a, Object b) {
    if (a instanceof Undefined u) {
      throw u.fail();
    }
    if (b instanceof Undefined u) {
      throw u.fail();
    }
  }

  private static TemplateRuntimeError unsupported(String op, Object a, Object b) {
    return TemplateRuntimeError.type("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
        + typeName(b) + "'");
  }

  static Object add(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) + toDouble(b);
      }
      return Math.addExact(toLong(a), toLong(b));
    }
    if (a instanceof String x) {
      if (b instanceof String y) {
        return x + y;
      }
      throw TemplateRuntimeError.type("can only concatenate str (not \"" + typeName(b) + "\") to str");
    }
    if (a instanceof PyTuple x && b instanceof PyTuple y) {
      List<Object> all = new ArrayList<>(x);
      all.addAll(y);
      return new PyTuple(all);
    }
    if (a instanceof List<?> x && !(a instanceof PyTuple) && !(a instanceof DictView)) {
      if (b instanceof List<?> y && !(b instanceof PyTuple) && !(b instanceof DictView)) {
        List<Object> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
      }
      throw TemplateRuntimeError.type("can only concatenate list (not \"" + typeName(b) + "\") to list");
    }
    throw unsupported("+", a, b);
  }

  static Object sub(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) - toDouble(b);
      }
      return Math.subtractExact(toLong(a), toLong(b));
    }
    throw unsupported("-", a, b);
  }

  static Object mul(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        return toDouble(a) * toDouble(b);
      }
      return Math.multiplyExact(toLong(a), toLong(b));
    }
    if (isInt(a) && !isInt(b)) {
      return mul(b, a);
    }
    if (isInt(b)) {
      long n = Math.max(0, toLong(b));
      if (a instanceof String s) {
        if (n * (long) s.length() > Integer.MAX_VALUE / 2) {
          throw new TemplateRuntimeError("MemoryError", "repeated string is too long");
        }
        return s.repeat((int) n);
      }
      if (a instanceof List<?> list && !(a instanceof DictView)) {
        if (n * (long) list.size() > 10_000_000L) {
          throw new TemplateRuntimeError("MemoryError", "repeated list is too long");
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          out.addAll(list);
        }
        return a instanceof PyTuple ? new PyTuple(out) : out;
      }
    }
    throw TemplateRuntimeError.type("can't multiply sequence by non-int of type '" + typeName(b) + "'");
  }

  static Object truediv(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      double y = toDouble(b);
      if (y == 0) {
        throw new TemplateRuntimeError("ZeroDivisionError", isInt(a) && isInt(b) ? "division by zero"
            : "float division by zero");
      }
      if (isInt(a) && isInt(b)) {
        long x = toLong(a);
        long z = toLong(b);
        if (Math.abs(x) < (1L << 53) && Math.abs(z) < (1L << 53)) {
          return (double) x / (double) z; // both exact: IEEE division rounds correctly, as Python does
        }
        return new BigDecimal(x).divide(new BigDecimal(z), new MathContext(40)).doubleValue();
      }
      return toDouble(a) / y;
    }
    throw unsupported("/", a, b);
  }

  static Object floordiv(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        double y = toDouble(b);
        if (y == 0) {
          throw new TemplateRuntimeError("ZeroDivisionError", "float floor division by zero");
        }
        return Math.floor(toDouble(a) / y);
      }
      if (toLong(b) == 0) {
        throw new TemplateRuntimeError("ZeroDivisionError", "integer division or modulo by zero");
      }
      return Math.floorDiv(toLong(a), toLong(b));
    }
    throw unsupported("//", a, b);
  }

  static Object mod(Object a, Object b) {
    noUndefined(a, b);
    if (a instanceof String format) {
      return Formatting.percent(format, b);
    }
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        double x = toDouble(a);
        double y = toDouble(b);
        if (y == 0) {
          throw new TemplateRuntimeError("ZeroDivisionError", "float modulo");
        }
        double m = x % y;
        if (m != 0) {
          if ((y < 0) != (m < 0)) {
            m += y;
          }
        } else {
          m = Math.copySign(0.0, y);
        }
        return m;
      }
      if (toLong(b) == 0) {
        throw new TemplateRuntimeError("ZeroDivisionError", "integer division or modulo by zero");
      }
      return Math.floorMod(toLong(a), toLong(b));
    }
    throw unsupported("%", a, b);
  }

  static Object pow(Object a, Object b) {
    noUndefined(a, b);
    if (isNumber(a) && isNumber(b)) {
      if (isInt(a) && isInt(b) && toLong(b) >= 0) {
        long base = toLong(a);
        long exp = toLong(b);
        long result = 1;
        for (long i = 0; i < exp; i++) {
          result = Math.multiplyExact(result, base);
          if (result == 0 || result == 1 && base == 1) {
            break;
          }
        }
        return result;
      }
      return Math.pow(toDouble(a), toDouble(b));
    }
    throw unsupported("** or pow()", a, b);
  }

  static Object neg(Object a) {
    if (a instanceof Undefined u) {
      throw u.fail();
    }
    if (a instanceof Double d) {
      return -d;
    }
    if (isInt(a)) {
      return Math.negateExact(toLong(a));
    }
    throw TemplateRuntimeError.type("bad operand type for unary -: '" + typeName(a) + "'");
  }

  static Object pos(Object a) {
    if (a instanceof Undefined u) {
      throw u.fail();
    }
    if (a instanceof Double) {
      return a;
    }
    if (isInt(a)) {
      return toLong(a);
    }
    throw TemplateRuntimeError.type("bad operand type for unary +: '" + typeName(a) + "'");
  }

  // --------------------------------------------------------------------------------- len, iter, members

  static int len(Object v) {
    if (v instanceof String s) {
      return length(s);
    }
    if (v instanceof Collection<?> c) {
      return c.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Undefined) {
      return 0;
    }
    if (v instanceof Loop loop) {
      return loop.length();
    }
    throw TemplateRuntimeError.type("object of type '" + typeName(v) + "' has no len()");
  }

  /** The items {@code for x in v} visits (a snapshot). */
  static List<Object> iterate(Object v) {
    if (v instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    if (v instanceof String s) {
      return chars(s);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof Undefined) {
      return List.of();
    }
    throw TemplateRuntimeError.type("'" + typeName(v) + "' object is not iterable");
  }

  /** {@code obj.name}: the sandbox's getattr (attributes and methods first, then items). */
  static Object getattr(Object obj, String name) {
    if (obj instanceof Undefined u) {
      throw u.fail();
    }
    Object method = Methods.lookup(obj, name);
    if (method != null) {
      return method;
    }
    if (obj instanceof Map<?, ?> map) {
      Object key = findKey(map, name);
      return key == MISSING ? Undefined.member(obj, name) : map.get(key);
    }
    if (obj instanceof Namespace ns) {
      return ns.attributes.containsKey(name) ? ns.attributes.get(name) : Undefined.member(obj, name);
    }
    if (obj instanceof Loop loop) {
      return loop.attribute(name);
    }
    return Undefined.member(obj, name);
  }

  /** {@code obj[key]}: the sandbox's getitem (items first, then attributes for a string key). */
  static Object getitem(Object obj, Object key) {
    if (obj instanceof Undefined u) {
      throw u.fail();
    }
    if (key instanceof Slice slice) {
      if (obj instanceof String s) {
        return slice.apply(s);
      }
      if (obj instanceof List<?> list && !(obj instanceof DictView)) {
        List<Object> out = slice.apply(list);
        return obj instanceof PyTuple ? new PyTuple(out) : out;
      }
      return Undefined.member(obj, key);
    }
    if (obj instanceof Map<?, ?> map) {
      Object k = findKey(map, key);
      if (k != MISSING) {
        return map.get(k);
      }
    } else if ((obj instanceof List<?> || obj instanceof String) && !(obj instanceof DictView) && isInt(key)) {
      long i = toLong(key);
      int size = len(obj);
      if (i < 0) {
        i += size;
      }
      if (i >= 0 && i < size) {
        if (obj instanceof List<?> list) {
          return list.get((int) i);
        }
        String s = (String) obj;
        if (!hasSurrogates(s)) {
          return String.valueOf(s.charAt((int) i));
        }
        int at = s.offsetByCodePoints(0, (int) i);
        return s.substring(at, s.offsetByCodePoints(at, 1));
      }
      return Undefined.member(obj, key);
    }
    if (key instanceof String name) {
      if (obj instanceof Map<?, ?>) {
        Object method = Methods.lookup(obj, name);
        return method != null ? method : Undefined.member(obj, name);
      }
      return getattr(obj, name);
    }
    return Undefined.member(obj, key);
  }

  static Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
    if (fn instanceof PyCallable c) {
      return c.call(args, kwargs);
    }
    if (fn instanceof Undefined u) {
      throw u.fail();
    }
    throw TemplateRuntimeError.type("'" + typeName(fn) + "' object is not callable");
  }

  /** {@code start:stop:step}, with Python's bounds rules. */
  record Slice(Object start, Object stop, Object step) {

    private int[] indices(int length) {
      long step = this.step == null ? 1 : index(this.step, "slice indices");
      if (step == 0) {
        throw TemplateRuntimeError.value("slice step cannot be zero");
      }
      long lower = step < 0 ? -1 : 0;
      long upper = step < 0 ? length - 1 : length;
      long begin = bound(start, length, lower, upper, step < 0 ? upper : lower);
      long end = bound(stop, length, lower, upper, step < 0 ? lower : upper);
      return new int[] {(int) begin, (int) end, (int) step};
    }

    private static long bound(Object value, int length, long lower, long upper, long absent) {
      if (value == null) {
        return absent;
      }
      long v = index(value, "slice indices");
      if (v < 0) {
        v += length;
        return Math.max(v, lower);
      }
      return Math.min(v, upper);
    }

    List<Object> apply(List<?> items) {
      int[] r = indices(items.size());
      List<Object> out = new ArrayList<>();
      for (int i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
        out.add(items.get(i));
      }
      return out;
    }

    String apply(String s) {
      if (!hasSurrogates(s) && (step == null || step.equals(1L))) {
        int[] r = indices(s.length());
        return r[0] < r[1] ? s.substring(r[0], r[1]) : "";
      }
      int[] cps = codePoints(s);
      int[] r = indices(cps.length);
      StringBuilder out = new StringBuilder();
      for (int i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
        out.appendCodePoint(cps[i]);
      }
      return out.toString();
    }
  }

  /** {@code dict.items()}, {@code keys()}, {@code values()}: a list that prints as {@code dict_items([...])}. */
  static final class DictView extends java.util.AbstractList<Object> {
    final String kind;
    private final List<Object> items;

    DictView(String kind, List<Object> items) {
      this.kind = kind;
      this.items = items;
    }

    @Override
    public Object get(int index) {
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
