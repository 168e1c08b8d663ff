package dev.robin.engine.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON numbers in a range, as expressions over ASCII (the same at byte and character level).
 *
 * <p>Integers: exactly the canonical decimals (no leading zeros, no {@code -0}) of the integers in the range,
 * built digit by digit like the classic numeric-range regular expressions.
 *
 * <p>Numbers with a bound: an integer part and an optional fraction, no exponent (so the value can be compared
 * digit by digit). Exact for any decimal bounds, inclusive or exclusive: the integer parts strictly inside the
 * range take any fraction; the integer part of a bound takes the fractions on the right side of the bound's
 * fraction (compared digit by digit, a shorter fraction padded with zeros). Without bounds, any JSON number,
 * exponent included.
 */
final class JsonNumbers {

  private static final Expr DIGIT = Expr.range('0', '9');
  private static final Expr NONZERO = Expr.range('1', '9');
  private static final Expr DIGITS = Expr.repeat(DIGIT, 1, -1);
  private static final Expr FRACTION = Expr.optional(Expr.seq(Expr.symbol('.'), DIGITS));

  private JsonNumbers() {}

  static Expr anyInteger() {
    return Expr.seq(Expr.optional(Expr.symbol('-')), naturalsAll());
  }

  static Expr anyNumber() {
    Expr exponent = Expr.seq(Expr.alt(Expr.symbol('e'), Expr.symbol('E')),
        Expr.optional(Expr.alt(Expr.symbol('+'), Expr.symbol('-'))), DIGITS);
    return Expr.seq(anyInteger(), FRACTION, Expr.optional(exponent));
  }

  private static Expr naturalsAll() {
    return Expr.alt(Expr.symbol('0'), Expr.seq(NONZERO, Expr.star(DIGIT)));
  }

  /** The integers in {@code [lo, hi]} (either null: unbounded). */
  static Expr integer(BigInteger lo, BigInteger hi) {
    if (lo == null && hi == null) {
      return anyInteger();
    }
    if (lo != null && hi != null && lo.compareTo(hi) > 0) {
      return Expr.NOTHING;
    }
    List<Expr> alts = new ArrayList<>();
    if (hi == null || hi.signum() >= 0) {
      BigInteger a = lo == null || lo.signum() < 0 ? BigInteger.ZERO : lo;
      alts.add(naturals(a, hi));
    }
    if (lo == null || lo.signum() < 0) {
      BigInteger a = hi == null || hi.signum() >= 0 ? BigInteger.ONE : hi.negate();
      BigInteger b = lo == null ? null : lo.negate();
      alts.add(Expr.seq(Expr.symbol('-'), naturals(a, b)));
    }
    return Expr.alt(alts);
  }

  /** Canonical decimals of the naturals in {@code [a, b]}, {@code b} null for unbounded; {@code a >= 0}. */
  static Expr naturals(BigInteger a, BigInteger b) {
    if (b != null && a.compareTo(b) > 0) {
      return Expr.NOTHING;
    }
    String as = a.toString();
    int la = as.length();
    int lb = b == null ? la : b.toString().length();
    List<Expr> alts = new ArrayList<>();
    for (int len = la; len <= lb; len++) {
      String lo = len == la ? as : "1" + "0".repeat(len - 1);
      String hi = b != null && len == lb ? b.toString() : "9".repeat(len);
      alts.add(sameLength(lo, hi));
    }
    if (b == null) { // more digits than a has
      alts.add(Expr.seq(NONZERO, Expr.repeat(DIGIT, la, la), Expr.star(DIGIT)));
    }
    return Expr.alt(alts);
  }

  /** Digit strings of one length between {@code lo} and {@code hi} (same length, lo <= hi). */
  private static Expr sameLength(String lo, String hi) {
    int n = lo.length();
    if (n == 0) {
      return Expr.EMPTY;
    }
    if (lo.equals(hi)) {
      return Expr.codePoints(lo);
    }
    char l0 = lo.charAt(0);
    char h0 = hi.charAt(0);
    String lr = lo.substring(1);
    String hr = hi.substring(1);
    if (l0 == h0) {
      return Expr.seq(Expr.symbol(l0), sameLength(lr, hr));
    }
    boolean loZeros = lr.chars().allMatch(c -> c == '0');
    boolean hiNines = hr.chars().allMatch(c -> c == '9');
    List<Expr> alts = new ArrayList<>();
    if (!loZeros) {
      alts.add(Expr.seq(Expr.symbol(l0), sameLength(lr, "9".repeat(n - 1))));
    }
    int from = loZeros ? l0 : l0 + 1;
    int to = hiNines ? h0 : h0 - 1;
    if (from <= to) {
      alts.add(Expr.seq(Expr.range(from, to), Expr.repeat(DIGIT, n - 1, n - 1)));
    }
    if (!hiNines) {
      alts.add(Expr.seq(Expr.symbol(h0), sameLength("0".repeat(n - 1), hr)));
    }
    return Expr.alt(alts);
  }

  /**
   * The numbers {@code x} with {@code lo <= x <= hi} ({@code <} where exclusive; null bounds are unbounded).
   */
  static Expr number(BigDecimal lo, boolean loExclusive, BigDecimal hi, boolean hiExclusive) {
    if (lo == null && hi == null) {
      return anyNumber();
    }
    if (lo != null && hi != null) {
      int c = lo.compareTo(hi);
      if (c > 0 || (c == 0 && (loExclusive || hiExclusive))) {
        return Expr.NOTHING;
      }
    }
    List<Expr> alts = new ArrayList<>();
    // x >= 0: magnitude in [max(lo, 0), hi].
    if (hi == null || hi.signum() >= 0) {
      BigDecimal a = lo == null || lo.signum() < 0 ? BigDecimal.ZERO : lo;
      boolean aEx = lo != null && lo.signum() >= 0 && loExclusive;
      if (nonEmpty(a, aEx, hi, hiExclusive)) {
        alts.add(magnitude(a, aEx, hi, hiExclusive));
      }
    }
    // x < 0: magnitude -x in (max(0, -hi), -lo].
    if (lo == null || lo.signum() < 0) {
      BigDecimal a = hi == null || hi.signum() >= 0 ? BigDecimal.ZERO : hi.negate();
      boolean aEx = hi == null || hi.signum() >= 0 || hiExclusive;
      BigDecimal b = lo == null ? null : lo.negate();
      if (nonEmpty(a, aEx, b, loExclusive)) {
        alts.add(Expr.seq(Expr.symbol('-'), magnitude(a, aEx, b, loExclusive)));
      }
    }
    return Expr.alt(alts);
  }

  private static boolean nonEmpty(BigDecimal a, boolean aEx, BigDecimal b, boolean bEx) {
    if (b == null) {
      return true;
    }
    int c = a.compareTo(b);
    return c < 0 || (c == 0 && !aEx && !bEx);
  }

  /** Non-negative decimals (no sign, no exponent) in the range; {@code a >= 0}, {@code b} null: unbounded. */
  private static Expr magnitude(BigDecimal a, boolean aEx, BigDecimal b, boolean bEx) {
    BigInteger aInt = a.toBigInteger();
    String aFrac = fractionDigits(a);
    Expr lower = aEx ? greater(aFrac) : greaterOrEqual(aFrac);
    if (b == null) {
      return Expr.alt(Expr.seq(Expr.codePoints(aInt.toString()), lower),
          Expr.seq(naturals(aInt.add(BigInteger.ONE), null), FRACTION));
    }
    BigInteger bInt = b.toBigInteger();
    String bFrac = fractionDigits(b);
    Expr upper = bEx ? less(bFrac) : lessOrEqual(bFrac);
    if (aInt.equals(bInt)) {
      Dfa both = Dfa.of(lower).intersect(Dfa.of(upper));
      if (both.acceptsNothing()) {
        return Expr.NOTHING;
      }
      return Expr.seq(Expr.codePoints(aInt.toString()), new Expr.Chars(both, CharEncoding.UTF8));
    }
    List<Expr> alts = new ArrayList<>();
    alts.add(Expr.seq(Expr.codePoints(aInt.toString()), lower));
    if (aInt.add(BigInteger.ONE).compareTo(bInt.subtract(BigInteger.ONE)) <= 0) {
      alts.add(Expr.seq(naturals(aInt.add(BigInteger.ONE), bInt.subtract(BigInteger.ONE)), FRACTION));
    }
    alts.add(Expr.seq(Expr.codePoints(bInt.toString()), upper));
    return Expr.alt(alts);
  }

  /** The digits after the point of a non-negative decimal, without trailing zeros ("" for an integer). */
  static String fractionDigits(BigDecimal v) {
    BigDecimal frac = v.subtract(new BigDecimal(v.toBigInteger()));
    if (frac.signum() == 0) {
      return "";
    }
    String s = frac.stripTrailingZeros().toPlainString(); // "0.xyz"
    return s.substring(s.indexOf('.') + 1);
  }

  private static Expr digitAbove(char d) {
    return Expr.range(d + 1, '9');
  }

  private static Expr digitBelow(char d) {
    return Expr.range('0', d - 1);
  }

  // Fractions F (absent, or "." and digits) compared as 0.F against 0.D; D has no trailing zeros.

  private static Expr greaterOrEqual(String d) {
    if (d.isEmpty()) {
      return FRACTION;
    }
    return Expr.seq(Expr.symbol('.'), geFrom(d, 0));
  }

  private static Expr geFrom(String d, int i) {
    if (i == d.length()) {
      return Expr.star(DIGIT);
    }
    return Expr.alt(Expr.seq(digitAbove(d.charAt(i)), Expr.star(DIGIT)),
        Expr.seq(Expr.symbol(d.charAt(i)), geFrom(d, i + 1)));
  }

  private static Expr greater(String d) {
    return Expr.seq(Expr.symbol('.'), gtFrom(d, 0));
  }

  private static Expr gtFrom(String d, int i) {
    if (i == d.length()) { // the rest must not be all zeros
      return Expr.seq(Expr.star(DIGIT), NONZERO, Expr.star(DIGIT));
    }
    return Expr.alt(Expr.seq(digitAbove(d.charAt(i)), Expr.star(DIGIT)),
        Expr.seq(Expr.symbol(d.charAt(i)), gtFrom(d, i + 1)));
  }

  private static Expr lessOrEqual(String d) {
    if (d.isEmpty()) {
      return Expr.optional(Expr.seq(Expr.symbol('.'), Expr.repeat(Expr.symbol('0'), 1, -1)));
    }
    return Expr.optional(Expr.seq(Expr.symbol('.'), leFrom(d, 0)));
  }

  /** At least one more digit, the whole at most {@code d[i..]}. */
  private static Expr leFrom(String d, int i) {
    Expr rest = i + 1 == d.length() ? Expr.star(Expr.symbol('0')) : Expr.optional(leFrom(d, i + 1));
    return Expr.alt(Expr.seq(digitBelow(d.charAt(i)), Expr.star(DIGIT)), Expr.seq(Expr.symbol(d.charAt(i)), rest));
  }

  private static Expr less(String d) {
    if (d.isEmpty()) {
      return Expr.NOTHING;
    }
    return Expr.optional(Expr.seq(Expr.symbol('.'), ltFrom(d, 0)));
  }

  /** At least one more digit, the whole less than {@code d[i..]}. */
  private static Expr ltFrom(String d, int i) {
    Expr rest = i + 1 == d.length() ? Expr.NOTHING : Expr.optional(ltFrom(d, i + 1));
    return Expr.alt(Expr.seq(digitBelow(d.charAt(i)), Expr.star(DIGIT)), Expr.seq(Expr.symbol(d.charAt(i)), rest));
  }
}
