package dev.robin.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Half and bfloat16 conversions against an independent nearest-value reference. */
class Float16Test {

  @Test
  void everyHalfRoundTripsExactly() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = Float16.toFloat(h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(f))), "NaN 0x" + Integer.toHexString(bits));
      } else {
        assertEquals(bits, Float16.fromFloat(f) & 0xFFFF, "half 0x" + Integer.toHexString(bits) + " = " + f);
      }
    }
  }

  @Test
  void everyBfloat16RoundTripsExactly() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short b = (short) bits;
      float f = Float16.bfloat16ToFloat(b);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Float16.bfloat16ToFloat(Float16.floatToBfloat16(f))));
      } else {
        assertEquals(bits, Float16.floatToBfloat16(f) & 0xFFFF, "bf16 0x" + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void knownHalfValues() {
    assertEquals(1.0f, Float16.toFloat((short) 0x3C00));
    assertEquals(65504f, Float16.toFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, Float16.toFloat((short) 0x0001));
    assertEquals((short) 0x3C00, Float16.fromFloat(1.0f));
    assertEquals((short) 0x7C00, Float16.fromFloat(65520f), "halfway above max rounds to even: infinity");
    assertEquals((short) 0x7BFF, Float16.fromFloat(65519.99f));
    assertEquals((short) 0x0000, Float16.fromFloat(0x1p-25f), "halfway to the smallest subnormal rounds to 0");
    assertEquals((short) 0x0001, Float16.fromFloat(Math.nextUp(0x1p-25f)));
    assertEquals((short) 0x8000, Float16.fromFloat(-0.0f));
    assertEquals((short) 0xFC00, Float16.fromFloat(Float.NEGATIVE_INFINITY));
  }

  @Test
  void narrowingPicksTheNearestHalfTiesToEven() {
    float[] sortedHalves = finitePositiveValues(true);
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 300_000; i++) {
      // Random float bit patterns up to just above the half range, so all exponents are hit.
      float f = Float.intBitsToFloat(rnd.nextInt(0, 0x47800100));
      assertEquals(nearest(sortedHalves, f, true), Float16.toFloat(Float16.fromFloat(f)), "narrowing " + f);
    }
  }

  @Test
  void bfloat16NarrowingPicksTheNearestTiesToEven() {
    float[] sorted = finitePositiveValues(false);
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 300_000; i++) {
      float f = Float.intBitsToFloat(rnd.nextInt(0, 0x7F800000));
      assertEquals(nearest(sorted, f, false), Float16.bfloat16ToFloat(Float16.floatToBfloat16(f)), "bf16 " + f);
    }
  }

  /** Every finite non-negative value of the format, ascending (bit order is value order for these). */
  private static float[] finitePositiveValues(boolean half) {
    int maxFinite = half ? 0x7BFF : 0x7F7F;
    float[] out = new float[maxFinite + 1];
    for (int b = 0; b <= maxFinite; b++) {
      out[b] = half ? Float16.toFloat((short) b) : Float16.bfloat16ToFloat((short) b);
    }
    return out;
  }

  /** Reference rounding in double: nearest of the two neighbours, ties to the even bit pattern. */
  private static float nearest(float[] sorted, float f, boolean half) {
    int i = Arrays.binarySearch(sorted, f);
    if (i >= 0) {
      return sorted[i];
    }
    int above = -i - 1;
    if (above == sorted.length) {
      // Beyond the largest finite value: infinity if at or past the halfway point to the next power.
      double max = sorted[sorted.length - 1];
      double ulp = max - sorted[sorted.length - 2];
      return f >= max + ulp / 2 ? Float.POSITIVE_INFINITY : (float) max;
    }
    int below = above - 1;
    double dBelow = (double) f - sorted[below];
    double dAbove = (double) sorted[above] - f;
    if (dBelow < dAbove) {
      return sorted[below];
    }
    if (dAbove < dBelow) {
      return sorted[above];
    }
    return (below & 1) == 0 ? sorted[below] : sorted[above];
  }
}
