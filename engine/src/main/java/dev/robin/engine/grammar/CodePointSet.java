package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A set of code points as sorted, disjoint, non-adjacent intervals; never contains surrogates. Immutable. */
final class CodePointSet {

  /** Every encodable code point: U+0000..U+10FFFF without the surrogates. */
  static final CodePointSet ALL = new CodePointSet(new int[] {0, 0xD7FF, 0xE000, Dfa.MAX_CODE_POINT});
  static final CodePointSet DIGIT = of('0', '9');
  static final CodePointSet WORD = union(List.of(of('0', '9'), of('A', 'Z'), of('_', '_'), of('a', 'z')));
  /** {@code \s} as java.util.regex reads it (a subset of ECMAScript's, so a match satisfies both). */
  static final CodePointSet SPACE = union(List.of(of('\t', '\r'), of(' ', ' ')));
  /** Whitespace in either dialect: ECMAScript adds these Unicode spaces to {@code \s}. */
  static final CodePointSet ANY_SPACE = union(List.of(SPACE, of(0xA0, 0xA0), of(0x1680, 0x1680), of(0x2000, 0x200A),
      of(0x2028, 0x2029), of(0x202F, 0x202F), of(0x205F, 0x205F), of(0x3000, 0x3000), of(0xFEFF, 0xFEFF)));
  /** Line terminators that {@code .} does not match in either dialect. */
  static final CodePointSet LINE_TERMINATORS =
      union(List.of(of('\n', '\n'), of('\r', '\r'), of(0x85, 0x85), of(0x2028, 0x2029)));

  private final int[] ranges; // lo0, hi0, lo1, hi1, ...

  private CodePointSet(int[] ranges) {
    this.ranges = ranges;
  }

  static CodePointSet of(int lo, int hi) {
    return normalize(new int[] {lo, hi});
  }

  static CodePointSet union(List<CodePointSet> sets) {
    int n = 0;
    for (CodePointSet s : sets) {
      n += s.ranges.length;
    }
    int[] all = new int[n];
    int k = 0;
    for (CodePointSet s : sets) {
      System.arraycopy(s.ranges, 0, all, k, s.ranges.length);
      k += s.ranges.length;
    }
    return normalize(all);
  }

  /** Sorts and merges {@code lo, hi} pairs, dropping surrogates. */
  static CodePointSet normalize(int[] pairs) {
    List<int[]> list = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      int lo = pairs[i];
      int hi = pairs[i + 1];
      // Cut out the surrogates.
      if (lo <= 0xDFFF && hi >= 0xD800) {
        if (lo < 0xD800) {
          list.add(new int[] {lo, 0xD7FF});
        }
        if (hi > 0xDFFF) {
          list.add(new int[] {0xE000, hi});
        }
      } else if (lo <= hi) {
        list.add(new int[] {lo, hi});
      }
    }
    list.sort((a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] r : list) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        merged.add(new int[] {r[0], r[1]});
      }
    }
    int[] out = new int[merged.size() * 2];
    for (int i = 0; i < merged.size(); i++) {
      out[2 * i] = merged.get(i)[0];
      out[2 * i + 1] = merged.get(i)[1];
    }
    return new CodePointSet(out);
  }

  /** The encodable code points not in this set. */
  CodePointSet complement() {
    IntList out = new IntList();
    int next = 0;
    for (int i = 0; i < ranges.length; i += 2) {
      if (ranges[i] > next) {
        out.add(next);
        out.add(ranges[i] - 1);
      }
      next = ranges[i + 1] + 1;
    }
    if (next <= Dfa.MAX_CODE_POINT) {
      out.add(next);
      out.add(Dfa.MAX_CODE_POINT);
    }
    return normalize(out.toArray());
  }

  CodePointSet minus(CodePointSet other) {
    return union(List.of(complement(), other)).complement();
  }

  boolean isEmpty() {
    return ranges.length == 0;
  }

  boolean contains(int c) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (ranges[i] <= c && c <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** The set as a character-level expression: one symbol of any of its intervals. */
  Expr expr() {
    List<Expr> alts = new ArrayList<>();
    for (int i = 0; i < ranges.length; i += 2) {
      alts.add(Expr.range(ranges[i], ranges[i + 1]));
    }
    return Expr.alt(alts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CodePointSet && Arrays.equals(ranges, ((CodePointSet) o).ranges);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ranges);
  }
}
