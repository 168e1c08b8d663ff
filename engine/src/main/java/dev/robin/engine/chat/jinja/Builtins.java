package dev.robin.engine.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's built-in filters, tests and globals, with transformers' additions: {@code tojson} as
 * {@code json.dumps(ensure_ascii=False)}, {@code raise_exception(message)} and {@code strftime_now(format)}.
 */
final class Builtins {

  private Builtins() {}

  @FunctionalInterface
  interface FilterFn {
    Object apply(Frame f, Object value, List<Object> args, Map<String, Object> kwargs);
  }

  @FunctionalInterface
  interface TestFn {
    boolean test(Frame f, Object value, List<Object> args, Map<String, Object> kwargs);
  }

  private static final Pattern WORD_BEGINNING = Pattern.compile("[-\\s({\\[<]+", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);

  static final Map<String, FilterFn> FILTERS = new HashMap<>();
  static final Map<String, TestFn> TESTS = new HashMap<>();

  /** A positional-or-keyword argument. */
  static Object arg(List<Object> args, Map<String, Object> kwargs, int index, String name, Object absent) {
    if (args.size() > index) {
      return args.get(index);
    }
    return kwargs.containsKey(name) ? kwargs.get(name) : absent;
  }

  private static Object first(List<Object> args) {
    if (args.isEmpty()) {
      throw TemplateRuntimeError.type("missing a required argument");
    }
    return args.get(0);
  }

  static {
    // ---------------------------------------------------------------------------------------- filters
    FILTERS.put("abs", (f, v, a, k) -> {
      if (v instanceof Double d) {
        return Math.abs(d);
      }
      if (Py.isInt(v)) {
        return Math.abs(Py.toLong(v));
      }
      throw TemplateRuntimeError.type("bad operand type for abs(): '" + Py.typeName(v) + "'");
    });
    FILTERS.put("attr", (f, v, a, k) -> Py.getattr(v, Py.str(first(a))));
    FILTERS.put("capitalize", (f, v, a, k) -> Methods.capitalize(Py.str(v)));
    FILTERS.put("center", (f, v, a, k) -> Py.call(Py.getattr(Py.str(v), "center"),
        List.of(arg(a, k, 0, "width", 80L)), Map.of()));
    FILTERS.put("length", (f, v, a, k) -> (long) Py.len(v));
    FILTERS.put("count", FILTERS.get("length"));
    FILTERS.put("default", (f, v, a, k) -> {
      Object fallback = arg(a, k, 0, "default_value", "");
      boolean bool = Py.truthy(arg(a, k, 1, "boolean", false));
      return v instanceof Undefined || bool && !Py.truthy(v) ? fallback : v;
    });
    FILTERS.put("d", FILTERS.get("default"));
    FILTERS.put("dictsort", (f, v, a, k) -> {
      boolean caseSensitive = Py.truthy(arg(a, k, 0, "case_sensitive", false));
      Object by = arg(a, k, 1, "by", "key");
      boolean reverse = Py.truthy(arg(a, k, 2, "reverse", false));
      if (!(v instanceof Map<?, ?> map)) {
        throw TemplateRuntimeError.type("dictsort expects a mapping");
      }
      int pos = "key".equals(by) ? 0 : "value".equals(by) ? 1 : -1;
      if (pos < 0) {
        throw new TemplateRuntimeError("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
      }
      List<Object> items = new ArrayList<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        items.add(new PyTuple(e.getKey(), e.getValue()));
      }
      Comparator<Object> order = (x, y) -> Py.compare(sortKey(((PyTuple) x).get(pos), caseSensitive),
          sortKey(((PyTuple) y).get(pos), caseSensitive), "<");
      items.sort(reverse ? order.reversed() : order);
      return items;
    });
    FILTERS.put("escape", (f, v, a, k) -> escape(Py.str(v)));
    FILTERS.put("e", FILTERS.get("escape"));
    FILTERS.put("forceescape", FILTERS.get("escape"));
    FILTERS.put("first", (f, v, a, k) -> {
      List<Object> items = Py.iterate(v);
      return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
    });
    FILTERS.put("last", (f, v, a, k) -> {
      List<Object> items = Py.iterate(v);
      return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
    });
    FILTERS.put("float", (f, v, a, k) -> {
      Object fallback = arg(a, k, 0, "default", 0.0);
      if (v instanceof Double || Py.isInt(v)) {
        return Py.toDouble(v);
      }
      if (v instanceof String s) {
        Double d = parseFloat(s);
        return d == null ? fallback : d;
      }
      return fallback;
    });
    FILTERS.put("int", (f, v, a, k) -> {
      Object fallback = arg(a, k, 0, "default", 0L);
      long base = Py.index(arg(a, k, 1, "base", 10L), "base");
      if (Py.isInt(v)) {
        return Py.toLong(v);
      }
      if (v instanceof Double d) {
        return Double.isFinite(d) ? (Object) (long) (double) d : fallback;
      }
      if (v instanceof String s) {
        try {
          String t = Methods.strip(s, null, true, true).replace("_", "");
          if (base == 16 && t.toLowerCase(Locale.ROOT).startsWith("0x")) {
            t = t.substring(2);
          }
          return Long.parseLong(t, (int) base);
        } catch (NumberFormatException e) {
          Double d = parseFloat(s);
          return d == null || !Double.isFinite(d) ? fallback : (Object) (long) (double) d;
        }
      }
      return fallback;
    });
    FILTERS.put("format", (f, v, a, k) -> {
      if (!a.isEmpty() && !k.isEmpty()) {
        throw new TemplateRuntimeError("FilterArgumentError", "can't handle positional and keyword arguments at the"
            + " same time");
      }
      return Formatting.percent(Py.str(v), k.isEmpty() ? new PyTuple(a) : new LinkedHashMap<Object, Object>(k));
    });
    FILTERS.put("indent", (f, v, a, k) -> {
      Object width = arg(a, k, 0, "width", 4L);
      boolean firstLine = Py.truthy(arg(a, k, 1, "first", false));
      boolean blank = Py.truthy(arg(a, k, 2, "blank", false));
      String indention = width instanceof String w ? w : " ".repeat((int) Math.max(0, Py.index(width, "width")));
      String s = Py.str(v) + "\n";
      List<Object> lines = Py.iterate(Py.call(Py.getattr(s, "splitlines"), List.of(), Map.of()));
      StringBuilder rv = new StringBuilder();
      if (blank) {
        for (int i = 0; i < lines.size(); i++) {
          if (i > 0) {
            rv.append('\n').append(indention);
          }
          rv.append(lines.get(i));
        }
      } else {
        rv.append(lines.get(0));
        for (int i = 1; i < lines.size(); i++) {
          String line = (String) lines.get(i);
          rv.append('\n').append(line.isEmpty() ? "" : indention).append(line);
        }
      }
      return firstLine ? indention + rv : rv.toString();
    });
    FILTERS.put("items", (f, v, a, k) -> {
      if (v instanceof Undefined) {
        return List.of();
      }
      if (!(v instanceof Map<?, ?>)) {
        throw TemplateRuntimeError.type("Can only get item pairs from a mapping.");
      }
      return Py.iterate(Py.call(Py.getattr(v, "items"), List.of(), Map.of()));
    });
    FILTERS.put("join", (f, v, a, k) -> {
      String separator = Py.str(arg(a, k, 0, "d", ""));
      Object attribute = arg(a, k, 1, "attribute", null);
      StringBuilder out = new StringBuilder();
      List<Object> items = Py.iterate(v);
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          out.append(separator);
        }
        Object item = items.get(i);
        out.append(Py.str(attribute == null ? item : attrGetter(attribute, item, null)));
      }
      return out.toString();
    });
    FILTERS.put("list", (f, v, a, k) -> Py.iterate(v));
    FILTERS.put("lower", (f, v, a, k) -> Py.str(v).toLowerCase(Locale.ROOT));
    FILTERS.put("upper", (f, v, a, k) -> Py.str(v).toUpperCase(Locale.ROOT));
    FILTERS.put("title", (f, v, a, k) -> {
      Matcher m = WORD_BEGINNING.matcher(Py.str(v));
      StringBuilder out = new StringBuilder();
      int last = 0;
      List<String> pieces = new ArrayList<>();
      while (m.find()) {
        pieces.add(Py.str(v).substring(last, m.start()));
        pieces.add(m.group());
        last = m.end();
      }
      pieces.add(Py.str(v).substring(last));
      for (String item : pieces) {
        if (!item.isEmpty()) {
          int c = item.codePointAt(0);
          out.append(Character.toString(c).toUpperCase(Locale.ROOT))
              .append(item.substring(Character.charCount(c)).toLowerCase(Locale.ROOT));
        }
      }
      return out.toString();
    });
    FILTERS.put("trim", (f, v, a, k) -> {
      Object chars = arg(a, k, 0, "chars", null);
      return Methods.strip(Py.str(v), chars == null ? null : Py.str(chars), true, true);
    });
    FILTERS.put("map", (f, v, a, k) -> {
      List<Object> out = new ArrayList<>();
      if (a.isEmpty() && k.containsKey("attribute")) {
        Object attribute = k.get("attribute");
        Object fallback = k.get("default");
        for (Object item : Py.iterate(v)) {
          out.add(attrGetter(attribute, item, fallback));
        }
        return out;
      }
      if (a.isEmpty()) {
        throw new TemplateRuntimeError("FilterArgumentError", "map requires a filter argument");
      }
      FilterFn fn = filter(Py.str(a.get(0)));
      List<Object> rest = a.subList(1, a.size());
      for (Object item : Py.iterate(v)) {
        out.add(fn.apply(f, item, rest, k));
      }
      return out;
    });
    FILTERS.put("select", (f, v, a, k) -> selectOrReject(f, v, a, k, true, false));
    FILTERS.put("reject", (f, v, a, k) -> selectOrReject(f, v, a, k, false, false));
    FILTERS.put("selectattr", (f, v, a, k) -> selectOrReject(f, v, a, k, true, true));
    FILTERS.put("rejectattr", (f, v, a, k) -> selectOrReject(f, v, a, k, false, true));
    FILTERS.put("max", (f, v, a, k) -> minMax(v, a, k, true));
    FILTERS.put("min", (f, v, a, k) -> minMax(v, a, k, false));
    FILTERS.put("replace", (f, v, a, k) -> {
      List<Object> args = new ArrayList<>(List.of(Py.str(arg(a, k, 0, "old", "")), Py.str(arg(a, k, 1, "new", ""))));
      Object count = arg(a, k, 2, "count", null);
      if (count != null) {
        args.add(count);
      }
      return Py.call(Py.getattr(Py.str(v), "replace"), args, Map.of());
    });
    FILTERS.put("reverse", (f, v, a, k) -> {
      if (v instanceof String s) {
        return new Py.Slice(null, null, -1L).apply(s);
      }
      List<Object> items = Py.iterate(v);
      java.util.Collections.reverse(items);
      return items;
    });
    FILTERS.put("round", (f, v, a, k) -> {
      long precision = Py.index(arg(a, k, 0, "precision", 0L), "precision");
      String method = Py.str(arg(a, k, 1, "method", "common"));
      if (!Py.isNumber(v)) {
        throw TemplateRuntimeError.type("type " + Py.typeName(v) + " doesn't define __round__ method");
      }
      switch (method) {
        case "common":
          if (Py.isInt(v)) {
            return Py.toLong(v);
          }
          double d = Py.toDouble(v);
          if (!Double.isFinite(d)) {
            return d;
          }
          double rounded = new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
          return Math.copySign(rounded, d); // -0.5 rounds to -0.0
        case "ceil":
        case "floor":
          double scale = Math.pow(10, precision);
          double x = Py.toDouble(v) * scale;
          return (method.equals("ceil") ? Math.ceil(x) : Math.floor(x)) / scale;
        default:
          throw new TemplateRuntimeError("FilterArgumentError", "method must be common, ceil or floor");
      }
    });
    FILTERS.put("safe", (f, v, a, k) -> v);
    FILTERS.put("string", (f, v, a, k) -> Py.str(v));
    FILTERS.put("sum", (f, v, a, k) -> {
      Object attribute = arg(a, k, 0, "attribute", null);
      Object total = arg(a, k, 1, "start", 0L);
      for (Object item : Py.iterate(v)) {
        total = Py.add(total, attribute == null ? item : attrGetter(attribute, item, null));
      }
      return total;
    });
    FILTERS.put("sort", (f, v, a, k) -> {
      boolean reverse = Py.truthy(arg(a, k, 0, "reverse", false));
      boolean caseSensitive = Py.truthy(arg(a, k, 1, "case_sensitive", false));
      Object attribute = arg(a, k, 2, "attribute", null);
      List<Object> items = Py.iterate(v);
      Comparator<Object> order = (x, y) -> Py.compare(
          sortKey(attribute == null ? x : attrGetter(attribute, x, null), caseSensitive),
          sortKey(attribute == null ? y : attrGetter(attribute, y, null), caseSensitive), "<");
      items.sort(reverse ? order.reversed() : order);
      return items;
    });
    FILTERS.put("unique", (f, v, a, k) -> {
      boolean caseSensitive = Py.truthy(arg(a, k, 0, "case_sensitive", false));
      Object attribute = arg(a, k, 1, "attribute", null);
      List<Object> seen = new ArrayList<>();
      List<Object> out = new ArrayList<>();
      for (Object item : Py.iterate(v)) {
        Object key = sortKey(attribute == null ? item : attrGetter(attribute, item, null), caseSensitive);
        if (!Py.contains(seen, key)) {
          seen.add(key);
          out.add(item);
        }
      }
      return out;
    });
    FILTERS.put("wordcount", (f, v, a, k) -> {
      Matcher m = WORD.matcher(Py.str(v));
      long n = 0;
      while (m.find()) {
        n++;
      }
      return n;
    });
    FILTERS.put("batch", (f, v, a, k) -> {
      long size = Py.index(first(a), "linecount");
      Object fill = arg(a, k, 1, "fill_with", null);
      boolean filling = a.size() > 1 || k.containsKey("fill_with");
      List<Object> out = new ArrayList<>();
      List<Object> current = new ArrayList<>();
      for (Object item : Py.iterate(v)) {
        if (current.size() == size) {
          out.add(current);
          current = new ArrayList<>();
        }
        current.add(item);
      }
      if (!current.isEmpty()) {
        while (filling && current.size() < size) {
          current.add(fill);
        }
        out.add(current);
      }
      return out;
    });
    FILTERS.put("tojson", (f, v, a, k) -> PyJson.dumps(v,
        Py.truthy(arg(a, k, 0, "ensure_ascii", false)),
        arg(a, k, 1, "indent", null),
        arg(a, k, 2, "separators", null),
        Py.truthy(arg(a, k, 3, "sort_keys", false))));

    // ------------------------------------------------------------------------------------------ tests
    TESTS.put("defined", (f, v, a, k) -> !(v instanceof Undefined));
    TESTS.put("undefined", (f, v, a, k) -> v instanceof Undefined);
    TESTS.put("none", (f, v, a, k) -> v == null);
    TESTS.put("boolean", (f, v, a, k) -> v instanceof Boolean);
    TESTS.put("false", (f, v, a, k) -> Boolean.FALSE.equals(v));
    TESTS.put("true", (f, v, a, k) -> Boolean.TRUE.equals(v));
    TESTS.put("integer", (f, v, a, k) -> v instanceof Long);
    TESTS.put("float", (f, v, a, k) -> v instanceof Double);
    TESTS.put("number", (f, v, a, k) -> Py.isNumber(v));
    TESTS.put("string", (f, v, a, k) -> v instanceof String);
    TESTS.put("mapping", (f, v, a, k) -> v instanceof Map);
    TESTS.put("sequence", (f, v, a, k) -> v instanceof String || v instanceof List || v instanceof Map
        || v instanceof Undefined || v instanceof Loop);
    TESTS.put("iterable", (f, v, a, k) -> v instanceof String || v instanceof List || v instanceof Map
        || v instanceof Undefined || v instanceof Loop);
    TESTS.put("callable", (f, v, a, k) -> v instanceof PyCallable);
    TESTS.put("sameas", (f, v, a, k) -> {
      Object other = first(a);
      return v == other || v != null && other != null && (v instanceof Boolean || v instanceof String
          || v instanceof Long && ((Long) v) >= -5 && ((Long) v) <= 256) && v.equals(other);
    });
    TESTS.put("escaped", (f, v, a, k) -> false);
    TESTS.put("odd", (f, v, a, k) -> Py.toLong(Py.mod(v, 2L)) == 1);
    TESTS.put("even", (f, v, a, k) -> Py.toLong(Py.mod(v, 2L)) == 0);
    TESTS.put("divisibleby", (f, v, a, k) -> Py.eq(Py.mod(v, first(a)), 0L));
    TESTS.put("lower", (f, v, a, k) -> (Boolean) Py.call(Py.getattr(Py.str(v), "islower"), List.of(), Map.of()));
    TESTS.put("upper", (f, v, a, k) -> (Boolean) Py.call(Py.getattr(Py.str(v), "isupper"), List.of(), Map.of()));
    TESTS.put("in", (f, v, a, k) -> Py.contains(first(a), v));
    TESTS.put("filter", (f, v, a, k) -> v instanceof String s && FILTERS.containsKey(s));
    TESTS.put("test", (f, v, a, k) -> v instanceof String s && TESTS.containsKey(s));
    for (String[] names : new String[][] {
        {"==", "eq", "equalto"}, {"!=", "ne"}, {"<", "lt", "lessthan"}, {"<=", "le"},
        {">", "gt", "greaterthan"}, {">=", "ge"}}) {
      String op = names[0];
      for (String name : names) {
        TESTS.put(name, (f, v, a, k) -> Nodes.Compare.compare(op, v, first(a)));
      }
    }
  }

  static FilterFn filter(String name) {
    FilterFn fn = FILTERS.get(name);
    if (fn == null) {
      throw new TemplateRuntimeError("TemplateRuntimeError", "No filter named " + Py.repr(name) + " found.");
    }
    return fn;
  }

  static TestFn test(String name) {
    TestFn fn = TESTS.get(name);
    if (fn == null) {
      throw new TemplateRuntimeError("TemplateRuntimeError", "No test named " + Py.repr(name) + " found.");
    }
    return fn;
  }

  private static Object sortKey(Object v, boolean caseSensitive) {
    return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
  }

  /** Jinja2's {@code make_attrgetter}: dotted path, integer parts as indexes, items before attributes. */
  private static Object attrGetter(Object attribute, Object item, Object fallback) {
    List<Object> parts = new ArrayList<>();
    if (attribute instanceof String s) {
      for (String part : s.split("\\.", -1)) {
        parts.add(part.matches("\\d+") ? (Object) Long.parseLong(part) : part);
      }
    } else {
      parts.add(attribute);
    }
    Object v = item;
    for (Object part : parts) {
      v = Py.getitem(v, part);
      if (fallback != null && v instanceof Undefined) {
        v = fallback;
      }
    }
    return v;
  }

  private static List<Object> selectOrReject(Frame f, Object v, List<Object> a, Map<String, Object> k,
      boolean select, boolean attr) {
    List<Object> out = new ArrayList<>();
    if (!Py.truthy(v)) {
      return out;
    }
    int off = attr ? 1 : 0;
    if (attr && a.isEmpty()) {
      throw new TemplateRuntimeError("FilterArgumentError", "Missing parameter for attribute name");
    }
    TestFn test = a.size() > off ? test(Py.str(a.get(off))) : null;
    List<Object> rest = a.size() > off + 1 ? a.subList(off + 1, a.size()) : List.of();
    for (Object item : Py.iterate(v)) {
      Object value = attr ? attrGetter(a.get(0), item, null) : item;
      boolean passed = test == null ? Py.truthy(value) : test.test(f, value, rest, k);
      if (passed == select) {
        out.add(item);
      }
    }
    return out;
  }

  private static Object minMax(Object v, List<Object> a, Map<String, Object> k, boolean max) {
    boolean caseSensitive = Py.truthy(arg(a, k, 0, "case_sensitive", false));
    Object attribute = arg(a, k, 1, "attribute", null);
    List<Object> items = Py.iterate(v);
    if (items.isEmpty()) {
      return new Undefined("No aggregated item, sequence was empty.");
    }
    Object best = items.get(0);
    for (Object item : items.subList(1, items.size())) {
      Object x = sortKey(attribute == null ? item : attrGetter(attribute, item, null), caseSensitive);
      Object y = sortKey(attribute == null ? best : attrGetter(attribute, best, null), caseSensitive);
      int c = Py.compare(x, y, max ? ">" : "<");
      if (max ? c > 0 : c < 0) {
        best = item;
      }
    }
    return best;
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&#34;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Python's {@code float(str)}, or null when it would raise. */
  private static Double parseFloat(String s) {
    String t = Methods.strip(s, null, true, true).replace("_", "").toLowerCase(Locale.ROOT);
    switch (t.replaceFirst("^[+-]", "")) {
      case "inf", "infinity" -> {
        return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      case "nan" -> {
        return Double.NaN;
      }
      default -> { }
    }
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      return null;
    }
    return Double.parseDouble(t);
  }

  // ------------------------------------------------------------------------------------------ globals

  /** The globals every template sees: Jinja2's ({@code range}, {@code dict}, {@code namespace}, …) and HF's. */
  static Map<String, Object> globals() {
    Map<String, Object> g = new HashMap<>();
    g.put("range", (PyCallable) (a, k) -> {
      long start = 0;
      long stop;
      long step = 1;
      if (a.size() == 1) {
        stop = Py.index(a.get(0), "range()");
      } else if (a.size() == 2 || a.size() == 3) {
        start = Py.index(a.get(0), "range()");
        stop = Py.index(a.get(1), "range()");
        if (a.size() == 3) {
          step = Py.index(a.get(2), "range()");
        }
      } else {
        throw TemplateRuntimeError.type("range expected at most 3 arguments, got " + a.size());
      }
      if (step == 0) {
        throw TemplateRuntimeError.value("range() arg 3 must not be zero");
      }
      long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1)
          / -step);
      if (count > 100_000) {
        throw new TemplateRuntimeError("OverflowError",
            "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
      }
      List<Object> out = new ArrayList<>((int) count);
      for (long i = 0, x = start; i < count; i++, x += step) {
        out.add(x);
      }
      return out;
    });
    g.put("dict", (PyCallable) (a, k) -> {
      Map<Object, Object> out = new LinkedHashMap<>();
      if (!a.isEmpty()) {
        if (a.get(0) instanceof Map<?, ?> m) {
          out.putAll(m);
        } else {
          for (Object pair : Py.iterate(a.get(0))) {
            List<Object> kv = Py.iterate(pair);
            out.put(kv.get(0), kv.get(1));
          }
        }
      }
      out.putAll(k);
      return out;
    });
    g.put("namespace", (PyCallable) (a, k) -> {
      Namespace ns = new Namespace();
      if (!a.isEmpty() && a.get(0) instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          ns.attributes.put(Py.str(e.getKey()), e.getValue());
        }
      }
      ns.attributes.putAll(k);
      return ns;
    });
    g.put("joiner", (PyCallable) (a, k) -> {
      String sep = Py.str(arg(a, k, 0, "sep", ", "));
      boolean[] used = {false};
      return (PyCallable) (a2, k2) -> {
        if (!used[0]) {
          used[0] = true;
          return "";
        }
        return sep;
      };
    });
    g.put("raise_exception", (PyCallable) (a, k) -> {
      throw new TemplateRaised(Py.str(arg(a, k, 0, "message", "")));
    });
    g.put("strftime_now", (PyCallable) (a, k) -> Strftime.now(Py.str(first(a))));
    return g;
  }
}
