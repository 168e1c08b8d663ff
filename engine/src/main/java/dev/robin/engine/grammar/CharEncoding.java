package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * How a character-level automaton is written in bytes: plain UTF-8 (a regular expression over the whole output),
 * or the inside of a JSON string (UTF-8, with {@code "} {@code \} and control characters escaped). Each
 * code point has exactly one spelling, so a character-level length bound stays exact. Surrogate code points
 * (U+D800..U+DFFF) have none: they cannot be encoded and never match.
 */
enum CharEncoding {
  UTF8 {
    @Override
    void emit(Nfa nfa, int from, int lo, int hi, int to) {
      emitUtf8(nfa, from, lo, hi, to);
    }
  },
  JSON_STRING {
    @Override
    void emit(Nfa nfa, int from, int lo, int hi, int to) {
      int c = lo;
      while (c <= hi) {
        if (c < 0x20 || c == '"' || c == '\\') {
          emitBytes(nfa, from, escape(c), to);
          c++;
        } else {
          int end = hi;
          if (c < '"' && end >= '"') {
            end = '"' - 1;
          } else if (c < '\\' && end >= '\\') {
            end = '\\' - 1;
          }
          emitUtf8(nfa, from, c, end, to);
          c = end + 1;
        }
      }
    }
  };

  /** Adds byte paths from {@code from} to {@code to} for every code point in {@code [lo, hi]}. */
  abstract void emit(Nfa nfa, int from, int lo, int hi, int to);

  /** The JSON spelling of a code point that must be escaped. */
  static byte[] escape(int c) {
    String s;
    switch (c) {
      case '"': s = "\\\""; break;
      case '\\': s = "\\\\"; break;
      case '\b': s = "\\b"; break;
      case '\f': s = "\\f"; break;
      case '\n': s = "\\n"; break;
      case '\r': s = "\\r"; break;
      case '\t': s = "\\t"; break;
      default: s = String.format("\\u%04x", c);
    }
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** The JSON string literal of {@code text}, spelled as the grammar spells strings. */
  static String jsonQuote(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
    text.codePoints().forEach(c -> {
      if (c < 0x20 || c == '"' || c == '\\') {
        sb.append(new String(escape(c), java.nio.charset.StandardCharsets.US_ASCII));
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.append('"').toString();
  }

  private static void emitBytes(Nfa nfa, int from, byte[] bytes, int to) {
    int cur = from;
    for (int i = 0; i < bytes.length; i++) {
      int next = i == bytes.length - 1 ? to : nfa.newState();
      nfa.range(cur, bytes[i] & 0xFF, bytes[i] & 0xFF, next);
      cur = next;
    }
  }

  private static void emitUtf8(Nfa nfa, int from, int lo, int hi, int to) {
    List<int[]> sequences = new ArrayList<>();
    // Surrogates have no UTF-8 form.
    if (lo <= 0xD7FF) {
      utf8Sequences(lo, Math.min(hi, 0xD7FF), sequences);
    }
    if (hi >= 0xE000) {
      utf8Sequences(Math.max(lo, 0xE000), Math.min(hi, Dfa.MAX_CODE_POINT), sequences);
    }
    for (int[] seq : sequences) { // lo0, hi0, lo1, hi1, ...
      int cur = from;
      for (int i = 0; i < seq.length; i += 2) {
        int next = i == seq.length - 2 ? to : nfa.newState();
        nfa.range(cur, seq[i], seq[i + 1], next);
        cur = next;
      }
    }
  }

  /**
   * Splits the code points {@code [lo, hi]} (no surrogates) into sequences of byte ranges whose cross product is
   * exactly their UTF-8 forms: first at the boundaries between encoding lengths, then wherever a range's
   * continuation bytes would not cover their full 0x80..0xBF span.
   */
  static void utf8Sequences(int lo, int hi, List<int[]> out) {
    if (lo > hi) {
      return;
    }
    int[] lengthEnds = {0x7F, 0x7FF, 0xFFFF};
    for (int end : lengthEnds) {
      if (lo <= end && end < hi) {
        utf8Sequences(lo, end, out);
        utf8Sequences(end + 1, hi, out);
        return;
      }
    }
    if (hi <= 0x7F) {
      out.add(new int[] {lo, hi});
      return;
    }
    for (int i = 1; i < 4; i++) {
      int m = (1 << (6 * i)) - 1;
      if ((lo & ~m) != (hi & ~m)) {
        if ((lo & m) != 0) {
          utf8Sequences(lo, lo | m, out);
          utf8Sequences((lo | m) + 1, hi, out);
          return;
        }
        if ((hi & m) != m) {
          utf8Sequences(lo, (hi & ~m) - 1, out);
          utf8Sequences(hi & ~m, hi, out);
          return;
        }
      }
    }
    byte[] a = new String(Character.toChars(lo)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] b = new String(Character.toChars(hi)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int[] seq = new int[a.length * 2];
    for (int i = 0; i < a.length; i++) {
      seq[2 * i] = a[i] & 0xFF;
      seq[2 * i + 1] = b[i] & 0xFF;
    }
    out.add(seq);
  }
}
