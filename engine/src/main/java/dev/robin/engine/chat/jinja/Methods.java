package dev.robin.engine.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The methods of Python's {@code str}, {@code dict} and {@code list} that templates call
 * ({@code .strip()}, {@code .startswith(...)}, {@code .split()}, {@code .get(...)}, {@code .items()}, …).
 * Methods that would change a value ({@code append}, {@code update}, …) are refused as Jinja2's
 * {@code ImmutableSandboxedEnvironment} refuses them: the attribute is an undefined whose use raises
 * {@code SecurityError}.
 */
final class Methods {

  private Methods() {}

  private static final Set<String> DICT_UNSAFE = Set.of("clear", "pop", "popitem", "setdefault", "update");
  private static final Set<String> LIST_UNSAFE =
      Set.of("append", "clear", "pop", "reverse", "insert", "sort", "extend", "remove");

  /** The bound method {@code obj.name}, an unsafe-undefined, or null when {@code obj} has no such method. */
  static Object lookup(Object obj, String name) {
    if (obj instanceof String s) {
      return stringMethod(s, name);
    }
    if (obj instanceof Map<?, ?> map) {
      if (DICT_UNSAFE.contains(name)) {
        return Undefined.unsafe(obj, name);
      }
      return dictMethod(map, name);
    }
    if (obj instanceof Py.DictView) {
      return null;
    }
    if (obj instanceof List<?> list) {
      if (!(obj instanceof PyTuple) && LIST_UNSAFE.contains(name)) {
        return Undefined.unsafe(obj, name);
      }
      return listMethod(list, name, obj instanceof PyTuple);
    }
    return null;
  }

  private static Object arg(List<Object> args, Map<String, Object> kwargs, int index, String name, Object absent) {
    if (args.size() > index) {
      return args.get(index);
    }
    return kwargs.containsKey(name) ? kwargs.get(name) : absent;
  }

  private static String stringArg(List<Object> args, Map<String, Object> kwargs, int index, String name) {
    Object v = arg(args, kwargs, index, name, null);
    if (v != null && !(v instanceof String)) {
      throw TemplateRuntimeError.type("must be str or None, not " + Py.typeName(v));
    }
    return (String) v;
  }

  private static String requiredString(List<Object> args, int index, String method) {
    if (args.size() <= index) {
      throw TemplateRuntimeError.type(method + "() takes at least " + (index + 1) + " argument");
    }
    Object v = args.get(index);
    if (!(v instanceof String s)) {
      throw TemplateRuntimeError.type("must be str, not " + Py.typeName(v));
    }
    return s;
  }

  private static PyCallable stringMethod(String s, String name) {
    switch (name) {
      case "strip":
        return (a, k) -> strip(s, stringArg(a, k, 0, "chars"), true, true);
      case "lstrip":
        return (a, k) -> strip(s, stringArg(a, k, 0, "chars"), true, false);
      case "rstrip":
        return (a, k) -> strip(s, stringArg(a, k, 0, "chars"), false, true);
      case "startswith":
        return (a, k) -> affix(s, a, true, "startswith");
      case "endswith":
        return (a, k) -> affix(s, a, false, "endswith");
      case "upper":
        return (a, k) -> s.toUpperCase(Locale.ROOT);
      case "lower":
        return (a, k) -> s.toLowerCase(Locale.ROOT);
      case "casefold":
        return (a, k) -> s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
      case "swapcase":
        return (a, k) -> swapcase(s);
      case "capitalize":
        return (a, k) -> capitalize(s);
      case "title":
        return (a, k) -> title(s);
      case "split":
        return (a, k) -> split(s, stringArg(a, k, 0, "sep"), maxsplit(a, k), false);
      case "rsplit":
        return (a, k) -> split(s, stringArg(a, k, 0, "sep"), maxsplit(a, k), true);
      case "splitlines":
        return (a, k) -> splitlines(s, Py.truthy(arg(a, k, 0, "keepends", false)));
      case "replace":
        return (a, k) -> replace(s, requiredString(a, 0, "replace"), requiredString(a, 1, "replace"),
            a.size() > 2 ? Py.index(a.get(2), "count") : Py.index(k.getOrDefault("count", -1L), "count"));
      case "find":
        return (a, k) -> (long) find(s, requiredString(a, 0, "find"), false);
      case "rfind":
        return (a, k) -> (long) find(s, requiredString(a, 0, "rfind"), true);
      case "index":
      case "rindex":
        return (a, k) -> {
          int at = find(s, requiredString(a, 0, name), name.equals("rindex"));
          if (at < 0) {
            throw TemplateRuntimeError.value("substring not found");
          }
          return (long) at;
        };
      case "count":
        return (a, k) -> (long) count(s, requiredString(a, 0, "count"));
      case "join":
        return (a, k) -> {
          StringBuilder out = new StringBuilder();
          List<Object> items = Py.iterate(a.isEmpty() ? null : a.get(0));
          for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String item)) {
              throw TemplateRuntimeError.type("sequence item " + i + ": expected str instance, "
                  + Py.typeName(items.get(i)) + " found");
            }
            if (i > 0) {
              out.append(s);
            }
            out.append(item);
          }
          return out.toString();
        };
      case "isspace":
        return (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Methods::isSpace);
      case "isdigit":
      case "isdecimal":
      case "isnumeric":
        return (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
      case "isalpha":
        return (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
      case "isalnum":
        return (a, k) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
      case "islower":
        return (a, k) -> s.codePoints().anyMatch(Character::isLowerCase)
            && s.codePoints().noneMatch(c -> Character.isUpperCase(c) || Character.isTitleCase(c));
      case "isupper":
        return (a, k) -> s.codePoints().anyMatch(Character::isUpperCase)
            && s.codePoints().noneMatch(c -> Character.isLowerCase(c) || Character.isTitleCase(c));
      case "removeprefix":
        return (a, k) -> {
          String p = requiredString(a, 0, "removeprefix");
          return s.startsWith(p) ? s.substring(p.length()) : s;
        };
      case "removesuffix":
        return (a, k) -> {
          String p = requiredString(a, 0, "removesuffix");
          return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
        };
      case "zfill":
        return (a, k) -> {
          int width = (int) Py.index(a.isEmpty() ? 0L : a.get(0), "width");
          int pad = width - Py.length(s);
          if (pad <= 0) {
            return s;
          }
          int sign = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
          return s.substring(0, sign) + "0".repeat(pad) + s.substring(sign);
        };
      case "center":
      case "ljust":
      case "rjust":
        return (a, k) -> justify(s, name, (int) Py.index(a.isEmpty() ? 0L : a.get(0), "width"),
            a.size() > 1 ? requiredString(a, 1, name) : " ");
      case "partition":
      case "rpartition":
        return (a, k) -> {
          String sep = requiredString(a, 0, name);
          if (sep.isEmpty()) {
            throw TemplateRuntimeError.value("empty separator");
          }
          int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
          if (at < 0) {
            return name.equals("partition") ? new PyTuple(s, "", "") : new PyTuple("", "", s);
          }
          return new PyTuple(s.substring(0, at), sep, s.substring(at + sep.length()));
        };
      case "format":
        return (a, k) -> Formatting.format(s, a, k);
      default:
        return null;
    }
  }

  private static Object dictMethod(Map<?, ?> map, String name) {
    switch (name) {
      case "get":
        return (PyCallable) (a, k) -> {
          if (a.isEmpty()) {
            throw TemplateRuntimeError.type("get expected at least 1 argument, got 0");
          }
          Object key = Py.findKey(map, a.get(0));
          return key != Py.MISSING ? map.get(key) : a.size() > 1 ? a.get(1) : null;
        };
      case "items":
        return (PyCallable) (a, k) -> {
          List<Object> items = new ArrayList<>(map.size());
          for (Map.Entry<?, ?> e : map.entrySet()) {
            items.add(new PyTuple(e.getKey(), e.getValue()));
          }
          return new Py.DictView("dict_items", items);
        };
      case "keys":
        return (PyCallable) (a, k) -> new Py.DictView("dict_keys", new ArrayList<>(map.keySet()));
      case "values":
        return (PyCallable) (a, k) -> new Py.DictView("dict_values", new ArrayList<>(map.values()));
      case "copy":
        return (PyCallable) (a, k) -> new java.util.LinkedHashMap<Object, Object>(map);
      default:
        return null;
    }
  }

  private static Object listMethod(List<?> list, String name, boolean tuple) {
    switch (name) {
      case "index":
        return (PyCallable) (a, k) -> {
          for (int i = 0; i < list.size(); i++) {
            if (Py.eq(list.get(i), a.isEmpty() ? null : a.get(0))) {
              return (long) i;
            }
          }
          throw TemplateRuntimeError.value(Py.repr(a.isEmpty() ? null : a.get(0)) + " is not in "
              + (tuple ? "tuple" : "list"));
        };
      case "count":
        return (PyCallable) (a, k) -> list.stream().filter(o -> Py.eq(o, a.isEmpty() ? null : a.get(0))).count();
      case "copy":
        return tuple ? null : (PyCallable) (a, k) -> new ArrayList<Object>(list);
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------------------------------- helpers

  /** Python's {@code str.isspace} characters, which {@code strip()} and {@code split()} remove. */
  static boolean isSpace(int c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end) {
      int c = s.codePointAt(start);
      if (!removable(c, chars)) {
        break;
      }
      start += Character.charCount(c);
    }
    while (right && end > start) {
      int c = s.codePointBefore(end);
      if (!removable(c, chars)) {
        break;
      }
      end -= Character.charCount(c);
    }
    return s.substring(start, end);
  }

  private static boolean removable(int c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
  }

  private static boolean affix(String s, List<Object> args, boolean prefix, String method) {
    if (args.isEmpty()) {
      throw TemplateRuntimeError.type(method + "() takes at least 1 argument (0 given)");
    }
    String target = s;
    if (args.size() > 1) {
      Object start = args.get(1);
      Object end = args.size() > 2 ? args.get(2) : null;
      target = new Py.Slice(start, end, null).apply(s);
    }
    Object what = args.get(0);
    List<?> candidates = what instanceof PyTuple t ? t : List.of(what);
    for (Object candidate : candidates) {
      if (!(candidate instanceof String c)) {
        throw TemplateRuntimeError.type(method + " first arg must be str or a tuple of str, not "
            + Py.typeName(candidate));
      }
      if (prefix ? target.startsWith(c) : target.endsWith(c)) {
        return true;
      }
    }
    return false;
  }

  private static long maxsplit(List<Object> args, Map<String, Object> kwargs) {
    return Py.index(arg(args, kwargs, 1, "maxsplit", -1L), "maxsplit");
  }

  static List<Object> split(String s, String separator, long maxSplit, boolean fromRight) {
    List<Object> parts = new ArrayList<>();
    if (separator == null) {
      int[] cps = Py.codePoints(s);
      List<int[]> words = new ArrayList<>(); // [start, end) in code points
      int i = 0;
      while (i < cps.length) {
        while (i < cps.length && isSpace(cps[i])) {
          i++;
        }
        if (i >= cps.length) {
          break;
        }
        int start = i;
        while (i < cps.length && !isSpace(cps[i])) {
          i++;
        }
        words.add(new int[] {start, i});
      }
      if (maxSplit < 0 || words.size() <= maxSplit + 1) {
        for (int[] w : words) {
          parts.add(new String(cps, w[0], w[1] - w[0]));
        }
        return parts;
      }
      int keep = (int) maxSplit;
      if (!fromRight) {
        for (int w = 0; w < keep; w++) {
          parts.add(new String(cps, words.get(w)[0], words.get(w)[1] - words.get(w)[0]));
        }
        int start = words.get(keep)[0]; // the rest keeps its trailing whitespace, as in Python
        parts.add(new String(cps, start, cps.length - start));
      } else {
        int firstKept = words.size() - keep;
        int end = words.get(firstKept - 1)[1]; // the rest keeps its leading whitespace
        parts.add(new String(cps, 0, end));
        for (int w = firstKept; w < words.size(); w++) {
          parts.add(new String(cps, words.get(w)[0], words.get(w)[1] - words.get(w)[0]));
        }
      }
      return parts;
    }
    if (separator.isEmpty()) {
      throw TemplateRuntimeError.value("empty separator");
    }
    if (!fromRight) {
      int from = 0;
      while (maxSplit < 0 || parts.size() < maxSplit) {
        int at = s.indexOf(separator, from);
        if (at < 0) {
          break;
        }
        parts.add(s.substring(from, at));
        from = at + separator.length();
      }
      parts.add(s.substring(from));
      return parts;
    }
    int end = s.length();
    List<Object> reversed = new ArrayList<>();
    while (maxSplit < 0 || reversed.size() < maxSplit) {
      int at = s.lastIndexOf(separator, end - separator.length());
      if (at < 0 || end - separator.length() < 0) {
        break;
      }
      reversed.add(s.substring(at + separator.length(), end));
      end = at;
    }
    reversed.add(s.substring(0, end));
    for (int i = reversed.size() - 1; i >= 0; i--) {
      parts.add(reversed.get(i));
    }
    return parts;
  }

  private static List<Object> splitlines(String s, boolean keepends) {
    List<Object> lines = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int breakLength = 0;
      if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
        breakLength = 2;
      } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
          || c == 0x85 || c == 0x2028 || c == 0x2029) {
        breakLength = 1;
      }
      if (breakLength == 0) {
        i++;
        continue;
      }
      lines.add(s.substring(start, keepends ? i + breakLength : i));
      i += breakLength;
      start = i;
    }
    if (start < s.length()) {
      lines.add(s.substring(start));
    }
    return lines;
  }

  private static String replace(String s, String old, String replacement, long count) {
    if (count < 0) {
      if (old.isEmpty()) {
        StringBuilder out = new StringBuilder(replacement);
        for (Object ch : Py.chars(s)) {
          out.append(ch).append(replacement);
        }
        return out.toString();
      }
      return s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (long n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0 || old.isEmpty() && at >= s.length() + 1) {
        break;
      }
      out.append(s, from, at).append(replacement);
      if (old.isEmpty()) {
        if (at < s.length()) {
          int cp = s.codePointAt(at);
          out.appendCodePoint(cp);
          from = at + Character.charCount(cp);
        } else {
          from = at;
          break;
        }
      } else {
        from = at + old.length();
      }
    }
    return out.append(s.substring(from)).toString();
  }

  /** Index in code points of the first (or last) occurrence, or -1. */
  private static int find(String s, String sub, boolean last) {
    int at = last ? s.lastIndexOf(sub) : s.indexOf(sub);
    return at < 0 ? -1 : s.codePointCount(0, at);
  }

  static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return Py.length(s) + 1;
    }
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    int n = Character.charCount(first);
    return Character.toString(Character.toTitleCase(first)) + s.substring(n).toLowerCase(Locale.ROOT);
  }

  private static String swapcase(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(c -> out.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
        : Character.isLowerCase(c) ? Character.toUpperCase(c) : c));
    return out.toString();
  }

  /** Python's {@code str.title()}: a cased character after an uncased one starts a word. */
  static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      out.appendCodePoint(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
      previousCased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }
    return out.toString();
  }

  private static String justify(String s, String how, int width, String fill) {
    if (Py.length(fill) != 1) {
      throw TemplateRuntimeError.type("The fill character must be exactly one character long");
    }
    int pad = width - Py.length(s);
    if (pad <= 0) {
      return s;
    }
    switch (how) {
      case "ljust":
        return s + fill.repeat(pad);
      case "rjust":
        return fill.repeat(pad) + s;
      default:
        int left = pad / 2 + (pad & width & 1);
        return fill.repeat(left) + s + fill.repeat(pad - left);
    }
  }
}
