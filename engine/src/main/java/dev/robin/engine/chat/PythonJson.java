package dev.robin.engine.chat;

import java.util.Collection;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps(x, ensure_ascii=False)} writes it, which is what Hugging Face's
 * {@code tojson} filter produces: {@code ", "} and {@code ": "} separators (or newlines with
 * {@code indent}), non-ASCII kept, no HTML escaping. Jinjava's own {@code tojson} is compact Jackson output,
 * so a template that shows tools or arguments as JSON would prompt the model with unfamiliar text.
 */
final class PythonJson {

  private PythonJson() {}

  static String dumps(Object value, Integer indent) {
    StringBuilder out = new StringBuilder();
    write(out, value, indent, 0);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value, Integer indent, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof CharSequence s) {
      string(out, s.toString());
    } else if (value instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (value instanceof Double || value instanceof Float) {
      number(out, ((Number) value).doubleValue());
    } else if (value instanceof Number n) {
      out.append(n.toString());
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        separate(out, first, indent, depth + 1);
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(": ");
        write(out, e.getValue(), indent, depth + 1);
      }
      close(out, indent, depth, '}');
    } else if (value instanceof Collection<?> || value instanceof Object[]) {
      Iterable<?> items = value instanceof Object[] array ? java.util.Arrays.asList(array) : (Collection<?>) value;
      if (!items.iterator().hasNext()) {
        out.append("[]");
        return;
      }
      out.append('[');
      boolean first = true;
      for (Object item : items) {
        separate(out, first, indent, depth + 1);
        first = false;
        write(out, item, indent, depth + 1);
      }
      close(out, indent, depth, ']');
    } else {
      string(out, value.toString());
    }
  }

  private static void separate(StringBuilder out, boolean first, Integer indent, int depth) {
    if (!first) {
      out.append(indent == null ? ", " : ",");
    }
    if (indent != null) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }

  private static void close(StringBuilder out, Integer indent, int depth, char bracket) {
    if (indent != null) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
    out.append(bracket);
  }

  private static void number(StringBuilder out, double d) {
    if (Double.isNaN(d)) {
      out.append("NaN");
    } else if (Double.isInfinite(d)) {
      out.append(d > 0 ? "Infinity" : "-Infinity");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      out.append((long) d).append(".0");
    } else {
      out.append(d);
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
