package dev.robin.engine.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a template's source so that Jinjava renders it as Jinja2 would. Two gaps are closed here:
 *
 * <p>Filtered loops ({@code {% for k, v in d.items() if k != "x" %}}, used by Mistral's template): Jinjava
 * ignores the {@code if}; the loop becomes a first loop collecting the kept items and a second loop over
 * them, so {@code loop.last} and {@code loop.index} count kept items as in Jinja2.
 *
 * <p>{@code {% generation %}…{% endgeneration %}} (transformers' assistant-mask extension) is dropped,
 * leaving its body.
 *
 * <p>Precedence of {@code not}: Jinja2 reads {@code not a|length == 1} as {@code not (a|length == 1)},
 * Jinjava's EL as {@code (not a|length) == 1}; every unary {@code not} gets its operand parenthesized up
 * to the next {@code and}, {@code or}, {@code if}, {@code else}, comma or closing bracket (Llama 3.2).
 *
 * <p>Whitespace: Jinja2's rules are applied to the source, as transformers' environment
 * ({@code trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False}) would, so that Jinjava
 * renders the result with no whitespace handling of its own. Jinjava honours {@code trimBlocks} and
 * {@code lstripBlocks} for {@code {% %}} tags but neither {@code {{- -}}} on expressions nor the same rules
 * on {@code {# #}} comments, and real templates (Qwen, Mistral) rely on both.
 *
 * <p>Rules: a {@code -} after an opening or before a closing delimiter removes all whitespace on that
 * side; a block tag or comment alone on its line loses the spaces and tabs before it (lstrip_blocks) and
 * the newline after it (trim_blocks); comments are dropped; a single trailing newline is removed.
 */
final class JinjaSource {

  private enum Kind { TEXT, EXPRESSION, BLOCK, COMMENT }

  private static final class Segment {
    final Kind kind;
    String text; // for tags: the body between the delimiters, markers removed
    boolean stripBefore;
    boolean stripAfter;
    boolean keepBefore; // "+" disables lstrip_blocks
    boolean keepAfter; // "+" disables trim_blocks

    Segment(Kind kind, String text) {
      this.kind = kind;
      this.text = text;
    }
  }

  private JinjaSource() {}

  static String normalize(String source) {
    if (source.endsWith("\r\n")) {
      source = source.substring(0, source.length() - 2);
    } else if (source.endsWith("\n")) {
      source = source.substring(0, source.length() - 1);
    }
    List<Segment> segments = split(source);
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s.kind == Kind.TEXT) {
        continue;
      }
      Segment before = i > 0 && segments.get(i - 1).kind == Kind.TEXT ? segments.get(i - 1) : null;
      Segment after = i + 1 < segments.size() && segments.get(i + 1).kind == Kind.TEXT ? segments.get(i + 1) : null;
      boolean blockLike = s.kind == Kind.BLOCK || s.kind == Kind.COMMENT;
      if (before != null) {
        if (s.stripBefore) {
          before.text = stripTrailingWhitespace(before.text);
        } else if (blockLike && !s.keepBefore) {
          before.text = lstripBlock(before.text, i == 1);
        }
      }
      if (after != null) {
        if (s.stripAfter) {
          after.text = stripLeadingWhitespace(after.text);
        } else if (blockLike && !s.keepAfter) {
          after.text = trimBlock(after.text);
        }
      }
    }
    StringBuilder out = new StringBuilder(source.length());
    int filteredLoops = 0;
    for (Segment s : segments) {
      switch (s.kind) {
        case TEXT -> out.append(s.text);
        case EXPRESSION -> out.append("{{").append(groupNot(s.text)).append("}}");
        case BLOCK -> {
          String name = s.text.strip();
          if (name.equals("generation") || name.equals("endgeneration")) {
            continue; // transformers' AssistantTracker block: renders its body, nothing else here
          }
          s.text = groupNot(s.text);
          String loop = rewriteFilteredLoop(s.text, filteredLoops);
          if (loop != null) {
            filteredLoops++;
            out.append(loop);
          } else {
            out.append("{%").append(s.text).append("%}");
          }
        }
        case COMMENT -> { }
      }
    }
    return out.toString();
  }

  private static List<Segment> split(String src) {
    List<Segment> segments = new ArrayList<>();
    int textStart = 0;
    int i = 0;
    while (i < src.length() - 1) {
      char c = src.charAt(i);
      char next = src.charAt(i + 1);
      if (c != '{' || (next != '{' && next != '%' && next != '#')) {
        i++;
        continue;
      }
      Kind kind = next == '{' ? Kind.EXPRESSION : next == '%' ? Kind.BLOCK : Kind.COMMENT;
      String closer = kind == Kind.EXPRESSION ? "}}" : kind == Kind.BLOCK ? "%}" : "#}";
      int end = kind == Kind.COMMENT ? src.indexOf(closer, i + 2) : findCloser(src, i + 2, closer);
      if (end < 0) {
        break; // unterminated: leave it to the parser to report
      }
      if (i > textStart) {
        segments.add(new Segment(Kind.TEXT, src.substring(textStart, i)));
      }
      String body = src.substring(i + 2, end);
      Segment tag = new Segment(kind, body);
      if (body.startsWith("-")) {
        tag.stripBefore = true;
        body = body.substring(1);
      } else if (body.startsWith("+")) {
        tag.keepBefore = true;
        body = body.substring(1);
      }
      if (body.endsWith("-")) {
        tag.stripAfter = true;
        body = body.substring(0, body.length() - 1);
      } else if (body.endsWith("+")) {
        tag.keepAfter = true;
        body = body.substring(0, body.length() - 1);
      }
      tag.text = body;
      segments.add(tag);
      i = end + 2;
      textStart = i;
    }
    if (textStart < src.length()) {
      segments.add(new Segment(Kind.TEXT, src.substring(textStart)));
    }
    return segments;
  }

  /**
   * {@code for TARGET in ITER if COND} as two loops, or null for any other tag. Jinja2's grammar allows no
   * conditional expression in ITER, so the first {@code if} outside strings and brackets ends it.
   */
  static String rewriteFilteredLoop(String body, int index) {
    String tag = body.strip();
    if (!tag.startsWith("for ") && !tag.startsWith("for\t")) {
      return null;
    }
    int in = findKeyword(tag, "in", 4);
    if (in < 0) {
      return null;
    }
    int cond = findKeyword(tag, "if", in + 2);
    if (cond < 0) {
      return null;
    }
    String target = tag.substring(4, in).strip();
    String iterable = tag.substring(in + 2, cond).strip();
    String condition = tag.substring(cond + 2).strip();
    if (condition.endsWith(" recursive")) {
      return null; // recursive loops are left alone
    }
    String unpacked = target.startsWith("(") && target.endsWith(")") ? target.substring(1, target.length() - 1) : target;
    String item = unpacked.contains(",") ? "[" + unpacked + "]" : unpacked;
    String kept = "__robin_filtered_" + index;
    return "{% set " + kept + " = [] %}"
        + "{% for " + target + " in " + iterable + " %}{% if " + condition + " %}"
        + "{% do " + kept + ".append(" + item + ") %}{% endif %}{% endfor %}"
        + "{% for " + target + " in " + kept + " %}";
  }

  private static final java.util.regex.Pattern FILTER = java.util.regex.Pattern.compile("\\|\\s*([A-Za-z_]\\w*)");
  private static final java.util.regex.Pattern TEST =
      java.util.regex.Pattern.compile("(?<![\\w.])is\\s+(?:not\\s+)?([A-Za-z_]\\w*)");

  /**
   * Names of the filters ({@code tests == false}) or tests ({@code is name}) a template uses: Jinjava
   * renders an unknown filter or test as nothing, silently, so they are checked when a template loads.
   */
  static java.util.Set<String> namesUsed(String source, boolean tests) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (Segment s : split(source)) {
      if (s.kind == Kind.EXPRESSION || s.kind == Kind.BLOCK) {
        java.util.regex.Matcher m = (tests ? TEST : FILTER).matcher(blankStrings(s.text));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** The text with the contents of quoted strings replaced by spaces. */
  private static String blankStrings(String text) {
    StringBuilder out = new StringBuilder(text.length());
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < text.length()) {
          out.append("  ");
          i++;
          continue;
        }
        if (c == quote) {
          quote = 0;
          out.append(c);
        } else {
          out.append(' ');
        }
      } else {
        if (c == '\'' || c == '"') {
          quote = c;
        }
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Parenthesizes the operand of every unary {@code not} (not {@code is not}, not {@code not in}). */
  static String groupNot(String expr) {
    StringBuilder out = new StringBuilder(expr.length() + 8);
    char quote = 0;
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (quote != 0) {
        out.append(c);
        if (c == '\\' && i + 1 < expr.length()) {
          out.append(expr.charAt(++i));
        } else if (c == quote) {
          quote = 0;
        }
        i++;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        out.append(c);
        i++;
        continue;
      }
      if (isWordAt(expr, i, "not") && !"is".equals(previousWord(expr, i)) && !"in".equals(nextWord(expr, i + 3))) {
        int start = i + 3;
        int end = operandEnd(expr, start);
        String operand = expr.substring(start, end);
        String trimmed = operand.strip();
        out.append("not (").append(groupNot(trimmed)).append(')');
        // keep the whitespace that followed the operand
        out.append(operand, operand.length() - (operand.length() - operand.stripTrailing().length()), operand.length());
        i = end;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /** End of a {@code not} operand: its comparison-level expression, stopping at a lower-precedence word. */
  private static int operandEnd(String s, int from) {
    int end = scanTopLevel(s, from, true, (t, i) -> t.charAt(i) == ',' || isWordAt(t, i, "and")
        || isWordAt(t, i, "or") || isWordAt(t, i, "if") || isWordAt(t, i, "else"));
    return end < 0 ? s.length() : end;
  }

  /** Tests a position of an expression that lies outside quoted strings and brackets. */
  @FunctionalInterface
  private interface TopLevelMatch {
    boolean test(String s, int i);
  }

  /**
   * The first index from {@code from} outside quoted strings and brackets where {@code match} holds, or -1.
   * With {@code stopAtUnmatchedCloser}, a closing bracket that closes nothing opened in the scan ends it there.
   */
  private static int scanTopLevel(String s, int from, boolean stopAtUnmatchedCloser, TopLevelMatch match) {
    char quote = 0;
    int depth = 0;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0 && stopAtUnmatchedCloser) {
          return i;
        }
        depth--;
      } else if (depth == 0 && match.test(s, i)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isWordAt(String s, int i, String word) {
    return s.startsWith(word, i)
        && (i == 0 || !isIdentifierChar(s.charAt(i - 1)))
        && (i + word.length() >= s.length() || !isIdentifierChar(s.charAt(i + word.length())));
  }

  private static boolean isIdentifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.';
  }

  private static String previousWord(String s, int end) {
    int i = end;
    while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
      i--;
    }
    int stop = i;
    while (i > 0 && isIdentifierChar(s.charAt(i - 1))) {
      i--;
    }
    return s.substring(i, stop);
  }

  private static String nextWord(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    int start = i;
    while (i < s.length() && isIdentifierChar(s.charAt(i))) {
      i++;
    }
    return s.substring(start, i);
  }

  /** Start of keyword {@code word} as a separate word at top level (outside strings and brackets). */
  private static int findKeyword(String s, String word, int from) {
    return scanTopLevel(s, from, false, (t, i) -> t.startsWith(word, i)
        && i > 0 && Character.isWhitespace(t.charAt(i - 1))
        && i + word.length() < t.length() && Character.isWhitespace(t.charAt(i + word.length())));
  }

  /** Position of {@code closer} after {@code from}, skipping quoted strings inside the tag. */
  private static int findCloser(String src, int from, String closer) {
    char quote = 0;
    for (int i = from; i < src.length() - 1; i++) {
      char c = src.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == closer.charAt(0) && src.charAt(i + 1) == closer.charAt(1)) {
        return i;
      }
    }
    return -1;
  }

  private static String stripTrailingWhitespace(String text) {
    int end = text.length();
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  private static String stripLeadingWhitespace(String text) {
    int start = 0;
    while (start < text.length() && Character.isWhitespace(text.charAt(start))) {
      start++;
    }
    return text.substring(start);
  }

  /** Spaces and tabs between the last newline (or the template's start) and the tag go. */
  private static String lstripBlock(String text, boolean atTemplateStart) {
    int end = text.length();
    int start = end;
    while (start > 0 && (text.charAt(start - 1) == ' ' || text.charAt(start - 1) == '\t')) {
      start--;
    }
    boolean lineStart = start == 0 ? atTemplateStart : text.charAt(start - 1) == '\n';
    return lineStart ? text.substring(0, start) : text;
  }

  /** The first newline right after the tag goes. */
  private static String trimBlock(String text) {
    if (text.startsWith("\r\n")) {
      return text.substring(2);
    }
    return text.startsWith("\n") ? text.substring(1) : text;
  }
}
