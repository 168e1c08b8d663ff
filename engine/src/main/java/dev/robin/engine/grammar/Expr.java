package dev.robin.engine.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A grammar expression over an int alphabet: bytes (0..255) for a {@link Grammar}'s rules, code points for the
 * character-level automata that strings, patterns and formats are built from. Immutable.
 */
interface Expr {

  /** The empty string. */
  Expr EMPTY = new Seq(List.of());

  /** The empty language: nothing matches. */
  Expr NOTHING = new Alt(List.of());

  /** One symbol in {@code [lo, hi]}. */
  record Range(int lo, int hi) implements Expr {}

  /** The concatenation of the parts. */
  record Seq(List<Expr> parts) implements Expr {}

  /** Any one of the alternatives; none is {@link #NOTHING}. */
  record Alt(List<Expr> alternatives) implements Expr {}

  /** {@code min} to {@code max} repetitions ({@code max < 0}: unbounded). */
  record Repeat(Expr body, int min, int max) implements Expr {}

  /** A reference to a rule of the grammar, by name (byte level only). */
  record Ref(String rule) implements Expr {}

  /**
   * The items in order, each required one present, the others optional, then any number of {@code repeated}
   * (if not null), all joined by {@code separator}: JSON object members. Built in linear size, where nesting
   * optionals would copy the tails.
   */
  record OrderedList(List<Expr> items, List<Boolean> required, Expr separator, Expr repeated) implements Expr {}

  /** A character-level automaton, written out in bytes with an encoding (byte level only). */
  record Chars(Dfa dfa, CharEncoding encoding) implements Expr {}

  static Expr range(int lo, int hi) {
    return lo > hi ? NOTHING : new Range(lo, hi);
  }

  static Expr symbol(int c) {
    return new Range(c, c);
  }

  /** The UTF-8 bytes of {@code text}, in order. */
  static Expr literal(String text) {
    return bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  static Expr bytes(byte[] bytes) {
    List<Expr> parts = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      parts.add(symbol(b & 0xFF));
    }
    return parts.size() == 1 ? parts.get(0) : new Seq(parts);
  }

  /** The code points of {@code text}, in order (character level). */
  static Expr codePoints(String text) {
    List<Expr> parts = new ArrayList<>();
    text.codePoints().forEach(c -> parts.add(symbol(c)));
    return parts.size() == 1 ? parts.get(0) : new Seq(parts);
  }

  static Expr seq(Expr... parts) {
    return seq(List.of(parts));
  }

  /** A concatenation, flattened; {@link #NOTHING} if any part is. */
  static Expr seq(List<Expr> parts) {
    List<Expr> out = new ArrayList<>();
    for (Expr p : parts) {
      if (isNothing(p)) {
        return NOTHING;
      }
      if (p instanceof Seq) {
        out.addAll(((Seq) p).parts());
      } else {
        out.add(p);
      }
    }
    return out.size() == 1 ? out.get(0) : new Seq(List.copyOf(out));
  }

  static Expr alt(Expr... alternatives) {
    return alt(List.of(alternatives));
  }

  /** A choice, flattened, without {@link #NOTHING} alternatives. */
  static Expr alt(List<Expr> alternatives) {
    List<Expr> out = new ArrayList<>();
    for (Expr a : alternatives) {
      if (a instanceof Alt) {
        out.addAll(((Alt) a).alternatives());
      } else {
        out.add(a);
      }
    }
    return out.size() == 1 ? out.get(0) : new Alt(List.copyOf(out));
  }

  static Expr optional(Expr e) {
    return repeat(e, 0, 1);
  }

  static Expr star(Expr e) {
    return repeat(e, 0, -1);
  }

  static Expr repeat(Expr e, int min, int max) {
    if (max >= 0 && max < min) {
      return NOTHING;
    }
    if (isNothing(e)) {
      return min == 0 ? EMPTY : NOTHING;
    }
    if (max == 0) {
      return EMPTY;
    }
    if (min == 1 && max == 1) {
      return e;
    }
    return new Repeat(e, min, max);
  }

  static boolean isNothing(Expr e) {
    return e instanceof Alt && ((Alt) e).alternatives().isEmpty();
  }
}
