package dev.robin.engine.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=..., indent=..., separators=..., sort_keys=...)}, which is
 * transformers' {@code tojson} filter: {@code ", "} and {@code ": "} separators (or {@code ","} and newlines
 * with an indent), non-ASCII kept unless {@code ensure_ascii}, no HTML escaping.
 */
final class PyJson {

  private PyJson() {}

  static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
    String indentText = null;
    if (indent instanceof String s) {
      indentText = s;
    } else if (Py.isInt(indent)) {
      indentText = " ".repeat((int) Math.max(0, Py.toLong(indent)));
    } else if (indent != null) {
      throw TemplateRuntimeError.type("can't multiply sequence by non-int of type '" + Py.typeName(indent) + "'");
    }
    String itemSeparator = indentText == null ? ", " : ",";
    String keySeparator = ": ";
    if (separators != null) {
      List<Object> pair = Py.iterate(separators);
      if (pair.size() != 2 || !(pair.get(0) instanceof String) || !(pair.get(1) instanceof String)) {
        throw TemplateRuntimeError.value("separators must be a pair of strings");
      }
      itemSeparator = (String) pair.get(0);
      keySeparator = (String) pair.get(1);
    }
    StringBuilder out = new StringBuilder();
    new PyJson.Writer(out, ensureAscii, indentText, itemSeparator, keySeparator, sortKeys).write(value, 0);
    return out.toString();
  }

  private record Writer(StringBuilder out, boolean ensureAscii, String indent, String itemSeparator,
      String keySeparator, boolean sortKeys) {

    void write(Object value, int depth) {
      if (depth > 500) {
        throw new TemplateRuntimeError("RecursionError", "maximum recursion depth exceeded while encoding a JSON object");
      }
      if (value == null) {
        out.append("null");
      } else if (value instanceof String s) {
        string(s);
      } else if (value instanceof Boolean b) {
        out.append(b ? "true" : "false");
      } else if (value instanceof Long l) {
        out.append(l);
      } else if (value instanceof Double d) {
        out.append(number(d));
      } else if (value instanceof Map<?, ?> map) {
        object(map, depth);
      } else if (value instanceof List<?> list && !(value instanceof Py.DictView)) {
        array(list, depth);
      } else {
        throw TemplateRuntimeError.type("Object of type " + Py.typeName(value) + " is not JSON serializable");
      }
    }

    private static String number(double d) {
      if (Double.isNaN(d)) {
        return "NaN";
      }
      if (Double.isInfinite(d)) {
        return d > 0 ? "Infinity" : "-Infinity";
      }
      return Py.floatRepr(d);
    }

    private void newline(int depth) {
      if (indent != null) {
        out.append('\n').append(indent.repeat(depth));
      }
    }

    private void array(List<?> list, int depth) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(itemSeparator);
        }
        newline(depth + 1);
        write(list.get(i), depth + 1);
      }
      newline(depth);
      out.append(']');
    }

    private void object(Map<?, ?> map, int depth) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      if (sortKeys) {
        entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey(), "<"));
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : entries) {
        if (!first) {
          out.append(itemSeparator);
        }
        first = false;
        newline(depth + 1);
        string(key(e.getKey()));
        out.append(keySeparator);
        write(e.getValue(), depth + 1);
      }
      newline(depth);
      out.append('}');
    }

    private static String key(Object key) {
      if (key instanceof String s) {
        return s;
      }
      if (key instanceof Boolean b) {
        return b ? "true" : "false";
      }
      if (key == null) {
        return "null";
      }
      if (key instanceof Long l) {
        return l.toString();
      }
      if (key instanceof Double d) {
        return number(d);
      }
      throw TemplateRuntimeError.type("keys must be str, int, float, bool or None, not " + Py.typeName(key));
    }

    private void string(String s) {
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
            if (c < 0x20 || ensureAscii && c >= 0x80) {
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
}
