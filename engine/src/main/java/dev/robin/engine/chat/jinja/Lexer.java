package dev.robin.engine.chat.jinja;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's lexer, configured as transformers configures it: {@code trim_blocks} (the newline right after a
 * block tag or comment goes), {@code lstrip_blocks} (spaces and tabs from the start of a line to a block
 * tag or comment go), no kept trailing newline, {@code -} and {@code +} whitespace control on every tag,
 * newlines normalized to {@code \n}. Its rules are Jinja2 3.1's {@code Lexer.tokeniter}, rule for rule.
 */
final class Lexer {

  enum Type {
    DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
  }

  record Token(Type type, String text, Object value, int line) {

    boolean is(Type t) {
      return type == t;
    }

    boolean isOperator(String op) {
      return type == Type.OPERATOR && text.equals(op);
    }

    boolean isName(String name) {
      return type == Type.NAME && text.equals(name);
    }

    String describe() {
      return switch (type) {
        case EOF -> "end of template";
        case VARIABLE_END -> "end of print statement";
        case BLOCK_END -> "end of statement block";
        case VARIABLE_BEGIN -> "begin of print statement";
        case BLOCK_BEGIN -> "begin of statement block";
        case DATA -> "template data / text";
        default -> text;
      };
    }
  }

  private static final Pattern FLOAT = Pattern.compile(
      "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
  private static final Pattern INTEGER = Pattern.compile(
      "0[bB](_?[0-1])+|0[oO](_?[0-7])+|0[xX](_?[\\da-fA-F])+|[1-9](_?\\d)*|0(_?0)*");
  private static final Pattern STRING =
      Pattern.compile("'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"", Pattern.DOTALL);
  private static final String[] OPERATORS = {
    "//", "**", "==", "!=", ">=", "<=",
    "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"
  };

  private final String source;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean lineStarting = true;

  private Lexer(String source) {
    this.source = source;
  }

  static List<Token> tokenize(String source) {
    Lexer lexer = new Lexer(normalizeNewlines(source));
    lexer.run();
    return lexer.tokens;
  }

  /** All of {@code \r\n}, {@code \r}, {@code \n} become {@code \n}; one trailing newline is dropped. */
  private static String normalizeNewlines(String source) {
    String s = source.replace("\r\n", "\n").replace('\r', '\n');
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private TemplateSyntaxError error(String message) {
    return new TemplateSyntaxError(message, line);
  }

  private void emit(Type type, String text, Object value) {
    tokens.add(new Token(type, text, value, line));
  }

  private void advanceLines(String consumed) {
    for (int i = 0; i < consumed.length(); i++) {
      if (consumed.charAt(i) == '\n') {
        line++;
      }
    }
  }

  private void run() {
    while (pos < source.length()) {
      int tag = nextTagStart(pos);
      if (tag < 0) {
        String data = source.substring(pos);
        emitData(data);
        pos = source.length();
        break;
      }
      char kind = source.charAt(tag + 1);
      int afterOpen = tag + 2;
      char sign = afterOpen < source.length() && (source.charAt(afterOpen) == '-' || source.charAt(afterOpen) == '+')
          ? source.charAt(afterOpen) : 0;
      int rawEnd = kind == '%' ? rawBegin(afterOpen + (sign != 0 ? 1 : 0)) : -1;
      String text = lstrip(source.substring(pos, tag), sign, kind != '{');
      emitData(text);
      advanceLines(source.substring(pos, tag).substring(text.length()));
      pos = afterOpen + (sign != 0 ? 1 : 0);
      lineStarting = false;
      if (rawEnd >= 0) {
        lineStarting = source.charAt(rawEnd - 1) == '\n';
        advanceLines(source.substring(pos, rawEnd));
        pos = rawEnd;
        raw();
      } else if (kind == '#') {
        comment();
      } else {
        emit(kind == '{' ? Type.VARIABLE_BEGIN : Type.BLOCK_BEGIN, kind == '{' ? "{{" : "{%", null);
        inTag(kind == '{' ? "}}" : "%}", kind == '{' ? Type.VARIABLE_END : Type.BLOCK_END);
      }
    }
    emit(Type.EOF, "", null);
  }

  private void emitData(String data) {
    if (!data.isEmpty()) {
      emit(Type.DATA, data, data);
      advanceLines(data);
    }
  }

  /** The first {@code {{}, {@code {%} or {@code {#} at or after {@code from}, or -1. */
  private int nextTagStart(int from) {
    for (int i = from; i < source.length() - 1; i++) {
      if (source.charAt(i) == '{') {
        char next = source.charAt(i + 1);
        if (next == '{' || next == '%' || next == '#') {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * Jinja2's OptionalLStrip: with {@code -} all whitespace before the tag goes; otherwise, for a block tag
   * or comment not marked {@code +}, whitespace between the line's start and the tag goes.
   */
  private String lstrip(String text, char sign, boolean blockLike) {
    if (sign == '-') {
      return Methods.strip(text, null, false, true);
    }
    if (sign != '+' && blockLike) {
      int lineStart = text.lastIndexOf('\n') + 1;
      if (lineStart > 0 || lineStarting) {
        String tail = text.substring(lineStart);
        if (!tail.isEmpty() && tail.codePoints().allMatch(Lexer::isRegexSpace)) {
          return text.substring(0, lineStart);
        }
      }
    }
    return text;
  }

  /** Python's {@code re} {@code \s} for str patterns: Unicode whitespace. */
  private static boolean isRegexSpace(int c) {
    return Methods.isSpace(c);
  }

  /** After {@code {%[-+]}: the end of a {@code raw} opening tag, or -1 when this tag is something else. */
  private int rawBegin(int from) {
    int i = skipSpace(from);
    if (!source.startsWith("raw", i)) {
      return -1;
    }
    i = skipSpace(i + 3);
    if (source.startsWith("-%}", i)) {
      return skipSpace(i + 3);
    }
    return source.startsWith("%}", i) ? i + 2 : -1;
  }

  private int skipSpace(int i) {
    while (i < source.length() && isRegexSpace(source.charAt(i))) {
      i++;
    }
    return i;
  }

  private void raw() {
    int search = pos;
    while (true) {
      int open = source.indexOf("{%", search);
      if (open < 0) {
        throw error("Missing end of raw directive");
      }
      int i = open + 2;
      char sign = i < source.length() && (source.charAt(i) == '-' || source.charAt(i) == '+') ? source.charAt(i) : 0;
      if (sign != 0) {
        i++;
      }
      i = skipSpace(i);
      if (source.startsWith("endraw", i)) {
        int j = skipSpace(i + 6);
        int end = closeBlock(j);
        if (end >= 0) {
          String text = lstrip(source.substring(pos, open), sign, true);
          emitData(text);
          advanceLines(source.substring(pos, end).substring(text.length()));
          lineStarting = source.charAt(end - 1) == '\n';
          pos = end;
          return;
        }
      }
      search = open + 2;
    }
  }

  /** At a block end ({@code +%}}, {@code -%}} plus whitespace, or {@code %}} plus one newline): its end. */
  private int closeBlock(int i) {
    if (source.startsWith("+%}", i)) {
      return i + 3;
    }
    if (source.startsWith("-%}", i)) {
      return skipSpace(i + 3);
    }
    if (source.startsWith("%}", i)) {
      return source.startsWith("\n", i + 2) ? i + 3 : i + 2;
    }
    return -1;
  }

  private void comment() {
    for (int i = pos; i < source.length() - 1; i++) {
      int end = -1;
      if (source.startsWith("+#}", i)) {
        end = i + 3;
      } else if (source.startsWith("-#}", i)) {
        end = skipSpace(i + 3);
      } else if (source.startsWith("#}", i)) {
        end = source.startsWith("\n", i + 2) ? i + 3 : i + 2;
      }
      if (end >= 0) {
        advanceLines(source.substring(pos, end));
        lineStarting = source.charAt(end - 1) == '\n';
        pos = end;
        return;
      }
    }
    throw error("Missing end of comment tag");
  }

  private void inTag(String closer, Type endType) {
    Deque<Character> balance = new ArrayDeque<>();
    while (true) {
      if (pos >= source.length()) {
        throw error("unexpected end of template, expected '" + closer + "'");
      }
      if (balance.isEmpty()) {
        int end = -1;
        if (endType == Type.BLOCK_END) {
          end = closeBlock(pos);
        } else if (source.startsWith("-}}", pos)) {
          end = skipSpace(pos + 3);
        } else if (source.startsWith("}}", pos)) {
          end = pos + 2;
        }
        if (end >= 0) {
          emit(endType, closer, null);
          advanceLines(source.substring(pos, end));
          lineStarting = source.charAt(end - 1) == '\n';
          pos = end;
          return;
        }
      }
      char c = source.charAt(pos);
      if (isRegexSpace(c)) {
        int end = skipSpace(pos);
        advanceLines(source.substring(pos, end));
        pos = end;
        continue;
      }
      Matcher m;
      if ((m = match(FLOAT)) != null) {
        String text = m.group();
        emit(Type.FLOAT, text, Double.parseDouble(text.replace("_", "")));
        pos = m.end();
        continue;
      }
      if ((m = match(INTEGER)) != null) {
        String text = m.group();
        emit(Type.INTEGER, text, parseInteger(text.replace("_", "")));
        pos = m.end();
        continue;
      }
      if (Character.isUnicodeIdentifierStart(c) || c == '_') {
        int end = pos + 1;
        while (end < source.length() && Character.isUnicodeIdentifierPart(source.charAt(end))
            && !Character.isIdentifierIgnorable(source.charAt(end))) {
          end++;
        }
        String name = source.substring(pos, end);
        emit(Type.NAME, name, name);
        pos = end;
        continue;
      }
      if ((m = match(STRING)) != null) {
        String text = m.group();
        emit(Type.STRING, text, unescape(text.substring(1, text.length() - 1)));
        advanceLines(text);
        pos = m.end();
        continue;
      }
      String op = null;
      for (String candidate : OPERATORS) {
        if (source.startsWith(candidate, pos)) {
          op = candidate;
          break;
        }
      }
      if (op == null) {
        throw error("unexpected char " + Py.repr(String.valueOf(c)) + " at " + pos);
      }
      switch (op) {
        case "{" -> balance.push('}');
        case "(" -> balance.push(')');
        case "[" -> balance.push(']');
        case "}", ")", "]" -> {
          if (balance.isEmpty()) {
            throw error("unexpected '" + op + "'");
          }
          char expected = balance.pop();
          if (expected != op.charAt(0)) {
            throw error("unexpected '" + op + "', expected '" + expected + "'");
          }
        }
        default -> { }
      }
      emit(Type.OPERATOR, op, op);
      pos += op.length();
    }
  }

  private Matcher match(Pattern p) {
    Matcher m = p.matcher(source);
    m.region(pos, source.length());
    m.useTransparentBounds(true);
    m.useAnchoringBounds(false);
    return m.lookingAt() ? m : null;
  }

  private Object parseInteger(String text) {
    try {
      if (text.length() > 2 && text.charAt(0) == '0') {
        char base = Character.toLowerCase(text.charAt(1));
        int radix = base == 'x' ? 16 : base == 'o' ? 8 : base == 'b' ? 2 : 10;
        if (radix != 10) {
          return Long.parseLong(text.substring(2), radix);
        }
      }
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw error("integer literal too large: " + text);
    }
  }

  /** Python's {@code unicode-escape} decoding of a string literal's body. */
  private String unescape(String body) {
    if (body.indexOf('\\') < 0) {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 >= body.length()) {
        out.append(c);
        continue;
      }
      char e = body.charAt(++i);
      switch (e) {
        case '\n' -> { }
        case '\\' -> out.append('\\');
        case '\'' -> out.append('\'');
        case '"' -> out.append('"');
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000b');
        case 'x', 'u', 'U' -> {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          String hex = body.substring(i + 1, Math.min(body.length(), i + 1 + digits));
          if (hex.length() < digits || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
            throw error("truncated \\" + e + (digits == 2 ? "XX" : digits == 4 ? "XXXX" : "XXXXXXXX") + " escape");
          }
          int cp = (int) Long.parseLong(hex, 16);
          if (cp > Character.MAX_CODE_POINT) {
            throw error("illegal Unicode character");
          }
          out.appendCodePoint(cp);
          i += digits;
        }
        case 'N' -> {
          int close = body.indexOf('}', i);
          if (i + 1 >= body.length() || body.charAt(i + 1) != '{' || close < 0) {
            throw error("malformed \\N character escape");
          }
          try {
            out.appendCodePoint(Character.codePointOf(body.substring(i + 2, close)));
          } catch (IllegalArgumentException unknown) {
            throw error("unknown Unicode character name");
          }
          i = close;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int end = i;
            while (end < body.length() && end < i + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
              end++;
            }
            out.appendCodePoint(Integer.parseInt(body.substring(i, end), 8));
            i = end - 1;
          } else {
            out.append('\\').append(e);
          }
        }
      }
    }
    return out.toString();
  }
}
