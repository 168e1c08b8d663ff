package dev.robin.engine.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods chat templates call ({@code .strip()}, {@code .startswith(...)},
 * {@code .split()}, …): Jinja2 runs templates on Python strings, Jinjava on Java strings, which have none
 * of these. Placed before Jinjava's own resolver; it resolves only method calls on strings it knows.
 */
final class PythonStringMethods extends ELResolver {

  @Override
  public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
    if (!(base instanceof String s) || method == null) {
      return null;
    }
    Object[] args = params == null ? new Object[0] : params;
    Object result;
    switch (method.toString()) {
      case "strip" -> result = strip(s, arg(args, 0), true, true);
      case "lstrip" -> result = strip(s, arg(args, 0), true, false);
      case "rstrip" -> result = strip(s, arg(args, 0), false, true);
      case "startswith" -> result = matchesAny(s, args, true);
      case "endswith" -> result = matchesAny(s, args, false);
      case "upper" -> result = s.toUpperCase(java.util.Locale.ROOT);
      case "lower" -> result = s.toLowerCase(java.util.Locale.ROOT);
      case "capitalize" -> result = s.isEmpty() ? s
          : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + s.substring(1).toLowerCase(java.util.Locale.ROOT);
      case "title" -> result = title(s);
      case "split" -> result = split(s, arg(args, 0), args.length > 1 ? ((Number) args[1]).intValue() : -1);
      case "replace" -> result = s.replace(String.valueOf(args[0]), String.valueOf(args[1]));
      case "find" -> result = (long) s.indexOf(String.valueOf(args[0]));
      case "count" -> result = (long) count(s, String.valueOf(args[0]));
      case "join" -> result = join(s, args[0]);
      case "isspace" -> result = !s.isEmpty() && s.chars().allMatch(c -> isSpace((char) c));
      case "isdigit" -> result = !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      default -> {
        return null;
      }
    }
    context.setPropertyResolved(true);
    return result;
  }

  private static String arg(Object[] args, int index) {
    return args.length > index && args[index] != null ? args[index].toString() : null;
  }

  /** Python's {@code str.isspace} characters, which {@code strip()} removes. */
  static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && removable(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && removable(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean removable(char c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  private static boolean matchesAny(String s, Object[] args, boolean prefix) {
    if (args.length == 0) {
      return false;
    }
    Iterable<?> candidates = args[0] instanceof Iterable<?> many ? many : List.of(String.valueOf(args[0]));
    for (Object candidate : candidates) {
      String c = String.valueOf(candidate);
      if (prefix ? s.startsWith(c) : s.endsWith(c)) {
        return true;
      }
    }
    return false;
  }

  private static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousCased = Character.isLetter(c);
    }
    return out.toString();
  }

  private static List<String> split(String s, String separator, int maxSplit) {
    List<String> parts = new ArrayList<>();
    if (separator == null) { // runs of whitespace, no empty parts
      int i = 0;
      while (i < s.length()) {
        while (i < s.length() && isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= s.length()) {
          break;
        }
        if (maxSplit >= 0 && parts.size() == maxSplit) {
          parts.add(strip(s.substring(i), null, false, true));
          return parts;
        }
        int start = i;
        while (i < s.length() && !isSpace(s.charAt(i))) {
          i++;
        }
        parts.add(s.substring(start, i));
      }
      return parts;
    }
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("empty separator");
    }
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

  private static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(String separator, Object items) {
    List<String> parts = new ArrayList<>();
    if (items instanceof Iterable<?> iterable) {
      for (Object o : iterable) {
        parts.add(String.valueOf(o));
      }
    } else {
      parts.add(String.valueOf(items));
    }
    return String.join(separator, parts);
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return null;
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {}

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return true;
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return null;
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return null;
  }
}
