package dev.robin.engine.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies Jinja2's whitespace rules to a template's source, as transformers' environment
 * ({@code trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False}) would, so that Jinjava
 * renders the result with no whitespace handling of its own. Jinjava honours {@code trimBlocks} and
 * {@code lstripBlocks} for {@code {% %}} tags but neither {@code {{- -}}} on expressions nor the same rules
 * on {@code {# #}} comments, and real templates (Qwen, Mistral) rely on both.
 *
 * <p>Rules: a {@code -} after an opening or before a closing delimiter removes all whitespace on that
 * side; a block tag or comment alone on its line loses the spaces and tabs before it (lstrip_blocks) and
 * the newline after it (trim_blocks); comments are dropped; a single trailing newline is removed.
 */
final class JinjaWhitespace {

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

  private JinjaWhitespace() {}

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
    for (Segment s : segments) {
      switch (s.kind) {
        case TEXT -> out.append(s.text);
        case EXPRESSION -> out.append("{{").append(s.text).append("}}");
        case BLOCK -> out.append("{%").append(s.text).append("%}");
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
