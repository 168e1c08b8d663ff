package dev.robin.engine.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's {@code "%s" % x} (and the {@code format} filter) and {@code str.format}, for the common specs. */
final class Formatting {

  private Formatting() {}

  /** {@code format % args}: a tuple gives positional values, a dict named ones ({@code %(name)s}). */
  static String percent(String format, Object args) {
    List<?> positional = args instanceof PyTuple t ? t : List.of(args == null ? NONE : args);
    int next = 0;
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i++);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i >= format.length()) {
        throw TemplateRuntimeError.value("incomplete format");
      }
      Object value = null;
      boolean named = false;
      if (format.charAt(i) == '(') {
        int close = format.indexOf(')', i);
        if (close < 0) {
          throw TemplateRuntimeError.value("incomplete format key");
        }
        if (!(args instanceof Map<?, ?> map)) {
          throw TemplateRuntimeError.type("format requires a mapping");
        }
        Object key = Py.findKey(map, format.substring(i + 1, close));
        if (key == Py.MISSING) {
          throw new TemplateRuntimeError("KeyError", Py.repr(format.substring(i + 1, close)));
        }
        value = map.get(key);
        named = true;
        i = close + 1;
      }
      StringBuilder flags = new StringBuilder();
      while (i < format.length() && "-+ #0".indexOf(format.charAt(i)) >= 0) {
        flags.append(format.charAt(i++));
      }
      int width = -1;
      int start = i;
      while (i < format.length() && Character.isDigit(format.charAt(i))) {
        i++;
      }
      if (i > start) {
        width = Integer.parseInt(format.substring(start, i));
      }
      int precision = -1;
      if (i < format.length() && format.charAt(i) == '.') {
        start = ++i;
        while (i < format.length() && Character.isDigit(format.charAt(i))) {
          i++;
        }
        precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
      }
      if (i >= format.length()) {
        throw TemplateRuntimeError.value("incomplete format");
      }
      char type = format.charAt(i++);
      if (type == '%') {
        out.append('%');
        continue;
      }
      if (!named) {
        if (next >= positional.size()) {
          throw TemplateRuntimeError.type("not enough arguments for format string");
        }
        value = positional.get(next++);
        if (value == NONE) {
          value = null;
        }
      }
      out.append(pad(convert(value, type, precision, flags.toString()), width, flags.indexOf("-") >= 0,
          flags.indexOf("0") >= 0 && "sr".indexOf(type) < 0));
    }
    if (!(args instanceof Map) && next < positional.size()) {
      throw TemplateRuntimeError.type("not all arguments converted during string formatting");
    }
    return out.toString();
  }

  private static final Object NONE = new Object();

  private static String convert(Object value, char type, int precision, String flags) {
    switch (type) {
      case 's':
        String s = Py.str(value);
        return precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
      case 'r':
      case 'a':
        return Py.repr(value);
      case 'd':
      case 'i':
      case 'u':
        return sign(integer(value, type).toString(), flags);
      case 'x':
        return sign(Long.toHexString(integer(value, type)), flags);
      case 'X':
        return sign(Long.toHexString(integer(value, type)).toUpperCase(Locale.ROOT), flags);
      case 'o':
        return sign(Long.toOctalString(integer(value, type)), flags);
      case 'c':
        return value instanceof String str ? str : Character.toString((int) Py.index(value, "%c"));
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (!Py.isNumber(value)) {
          throw TemplateRuntimeError.type("must be real number, not " + Py.typeName(value));
        }
        return sign(number(Py.toDouble(value), type, precision < 0 ? 6 : precision), flags);
      default:
        throw TemplateRuntimeError.value("unsupported format character '" + type + "'");
    }
  }

  private static Long integer(Object value, char type) {
    if (value instanceof Double d) {
      return (long) (double) d;
    }
    if (!Py.isInt(value)) {
      throw TemplateRuntimeError.type("%" + type + " format: a real number is required, not " + Py.typeName(value));
    }
    return Py.toLong(value);
  }

  private static String sign(String digits, String flags) {
    if (!digits.startsWith("-")) {
      if (flags.indexOf('+') >= 0) {
        return "+" + digits;
      }
      if (flags.indexOf(' ') >= 0) {
        return " " + digits;
      }
    }
    return digits;
  }

  static String number(double d, char type, int precision) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      String s = Double.isNaN(d) ? "nan" : d > 0 ? "inf" : "-inf";
      return Character.isUpperCase(type) ? s.toUpperCase(Locale.ROOT) : s;
    }
    switch (Character.toLowerCase(type)) {
      case 'f':
        return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
      case 'e': {
        String s = String.format(Locale.ROOT, "%." + precision + "e", new BigDecimal(d));
        s = exponentTwoDigits(s);
        return type == 'E' ? s.toUpperCase(Locale.ROOT) : s;
      }
      default: { // g
        int p = precision == 0 ? 1 : precision;
        if (d == 0) {
          return "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(new java.math.MathContext(p, RoundingMode.HALF_EVEN));
        int exp = rounded.precision() - rounded.scale() - 1;
        String s;
        if (exp < -4 || exp >= p) {
          s = exponentTwoDigits(String.format(Locale.ROOT, "%." + (p - 1) + "e", rounded));
          String mantissa = s.substring(0, s.indexOf('e'));
          if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
          }
          s = mantissa + s.substring(s.indexOf('e'));
        } else {
          s = rounded.setScale(Math.max(0, p - 1 - exp), RoundingMode.HALF_EVEN).toPlainString();
          if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
          }
        }
        return type == 'G' ? s.toUpperCase(Locale.ROOT) : s;
      }
    }
  }

  private static String exponentTwoDigits(String s) {
    int e = s.indexOf('e');
    String exp = s.substring(e + 1);
    char sign = exp.charAt(0) == '-' ? '-' : '+';
    String digits = exp.replaceFirst("^[+-]", "").replaceFirst("^0+(?=\\d\\d)", "");
    if (digits.length() < 2) {
      digits = "0" + digits;
    }
    return s.substring(0, e) + "e" + sign + digits;
  }

  private static String pad(String s, int width, boolean left, boolean zeros) {
    int missing = width - Py.length(s);
    if (missing <= 0) {
      return s;
    }
    if (left) {
      return s + " ".repeat(missing);
    }
    if (zeros) {
      int sign = !s.isEmpty() && "+- ".indexOf(s.charAt(0)) >= 0 ? 1 : 0;
      return s.substring(0, sign) + "0".repeat(missing) + s.substring(sign);
    }
    return " ".repeat(missing) + s;
  }

  /** {@code str.format}: {@code {}}, {@code {0}}, {@code {name}}, with {@code [key]}/{@code .attr} and a spec. */
  static String format(String format, List<Object> args, Map<String, Object> kwargs) {
    StringBuilder out = new StringBuilder();
    int auto = 0;
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c == '{' && i + 1 < format.length() && format.charAt(i + 1) == '{') {
        out.append('{');
        i += 2;
        continue;
      }
      if (c == '}' && i + 1 < format.length() && format.charAt(i + 1) == '}') {
        out.append('}');
        i += 2;
        continue;
      }
      if (c == '}') {
        throw TemplateRuntimeError.value("Single '}' encountered in format string");
      }
      if (c != '{') {
        out.append(c);
        i++;
        continue;
      }
      int close = format.indexOf('}', i);
      if (close < 0) {
        throw TemplateRuntimeError.value("Single '{' encountered in format string");
      }
      String field = format.substring(i + 1, close);
      i = close + 1;
      String spec = "";
      int colon = field.indexOf(':');
      if (colon >= 0) {
        spec = field.substring(colon + 1);
        field = field.substring(0, colon);
      }
      char conversion = 0;
      int bang = field.indexOf('!');
      if (bang >= 0) {
        conversion = field.charAt(bang + 1);
        field = field.substring(0, bang);
      }
      int end = 0;
      while (end < field.length() && field.charAt(end) != '.' && field.charAt(end) != '[') {
        end++;
      }
      String head = field.substring(0, end);
      Object value;
      if (head.isEmpty()) {
        value = positional(args, auto++);
      } else if (head.chars().allMatch(Character::isDigit)) {
        value = positional(args, Integer.parseInt(head));
      } else if (kwargs.containsKey(head)) {
        value = kwargs.get(head);
      } else {
        throw new TemplateRuntimeError("KeyError", Py.repr(head));
      }
      while (end < field.length()) {
        if (field.charAt(end) == '.') {
          int next = end + 1;
          while (next < field.length() && field.charAt(next) != '.' && field.charAt(next) != '[') {
            next++;
          }
          value = Py.getattr(value, field.substring(end + 1, next));
          end = next;
        } else {
          int rb = field.indexOf(']', end);
          String key = field.substring(end + 1, rb);
          value = Py.getitem(value, key.chars().allMatch(Character::isDigit) && !key.isEmpty()
              ? (Object) Long.parseLong(key) : key);
          end = rb + 1;
        }
      }
      if (conversion == 'r' || conversion == 'a') {
        value = Py.repr(value);
      } else if (conversion == 's') {
        value = Py.str(value);
      }
      out.append(applySpec(value, spec));
    }
    return out.toString();
  }

  private static Object positional(List<Object> args, int index) {
    if (index >= args.size()) {
      throw new TemplateRuntimeError("IndexError", "Replacement index " + index + " out of range for positional args"
          + " tuple");
    }
    return args.get(index);
  }

  /** {@code [[fill]align][sign][0][width][.precision][type]}. */
  private static String applySpec(Object value, String spec) {
    if (spec.isEmpty()) {
      return Py.str(value);
    }
    int i = 0;
    char fill = ' ';
    char align = 0;
    if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
      fill = spec.charAt(0);
      align = spec.charAt(1);
      i = 2;
    } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
      align = spec.charAt(0);
      i = 1;
    }
    char sign = '-';
    if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) {
      sign = spec.charAt(i++);
    }
    if (i < spec.length() && spec.charAt(i) == '0') {
      if (align == 0) {
        fill = '0';
        align = '=';
      }
      i++;
    }
    int start = i;
    while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
      i++;
    }
    int width = i > start ? Integer.parseInt(spec.substring(start, i)) : 0;
    int precision = -1;
    if (i < spec.length() && spec.charAt(i) == '.') {
      start = ++i;
      while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
        i++;
      }
      precision = Integer.parseInt(spec.substring(start, i));
    }
    char type = i < spec.length() ? spec.charAt(i) : 0;
    String body;
    boolean numeric = Py.isNumber(value) && !(value instanceof Boolean && type == 0);
    if (type == 0 && !numeric) {
      body = Py.str(value);
      if (precision >= 0 && precision < body.length()) {
        body = body.substring(0, precision);
      }
    } else if (type == 's') {
      body = Py.str(value);
    } else if ("eEfFgG%".indexOf(type) >= 0 || type == 0 && value instanceof Double && precision >= 0) {
      double d = Py.toDouble(value);
      if (type == '%') {
        body = number(d * 100, 'f', precision < 0 ? 6 : precision) + "%";
      } else {
        body = number(d, type == 0 ? 'g' : type, precision < 0 ? 6 : precision);
      }
    } else if ("dxXob".indexOf(type) >= 0 || type == 0 && Py.isInt(value)) {
      long l = Py.toLong(value);
      body = switch (type) {
        case 'x' -> Long.toHexString(l);
        case 'X' -> Long.toHexString(l).toUpperCase(Locale.ROOT);
        case 'o' -> Long.toOctalString(l);
        case 'b' -> Long.toBinaryString(l);
        default -> Long.toString(l);
      };
    } else {
      body = Py.str(value);
    }
    if (numeric && !body.startsWith("-")) {
      if (sign == '+') {
        body = "+" + body;
      } else if (sign == ' ') {
        body = " " + body;
      }
    }
    int missing = width - Py.length(body);
    if (missing <= 0) {
      return body;
    }
    if (align == 0) {
      align = numeric ? '>' : '<';
    }
    String f = String.valueOf(fill);
    switch (align) {
      case '<':
        return body + f.repeat(missing);
      case '^':
        return f.repeat(missing / 2) + body + f.repeat(missing - missing / 2);
      case '=':
        int signLength = !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0 ? 1 : 0;
        return body.substring(0, signLength) + f.repeat(missing) + body.substring(signLength);
      default:
        return f.repeat(missing) + body;
    }
  }
}
