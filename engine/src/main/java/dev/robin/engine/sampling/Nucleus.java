package dev.robin.engine.sampling;

import java.util.Arrays;

/**
 * The top-p candidates of a whole vocabulary without sorting it: tokens are bucketed by the binary
 * exponent of their weight (read from the float's bits, so each bucket spans a factor of 2), bucket
 * masses locate the bucket where the cumulative mass crosses top_p, and only tokens of that bucket and
 * the heavier ones are sorted. O(V) plus a sort of about the nucleus.
 */
final class Nucleus {

  /** Weights are at most 1 (the most likely token's), so exponents 0..127: bucket = 127 - exponent. */
  private static final int BUCKETS = 128;

  private Nucleus() {}

  /**
   * Ids whose weights, heaviest first (lowest id first among equals), cover at least {@code needed};
   * a superset of the nucleus, which the caller cuts exactly.
   *
   * @param weights per-id weights in [0, 1]
   */
  static int[] candidates(float[] weights, double needed) {
    double[] mass = new double[BUCKETS];
    int[] count = new int[BUCKETS];
    int n = weights.length;
    for (int i = 0; i < n; i++) {
      int b = bucket(weights[i]);
      mass[b] += weights[i];
      count[b]++;
    }
    double cumulative = 0.0;
    int last = BUCKETS - 1;
    int size = 0;
    for (int b = 0; b < BUCKETS; b++) {
      cumulative += mass[b];
      size += count[b];
      if (cumulative >= needed) {
        last = b;
        break;
      }
    }
    long[] keys = new long[size];
    int k = 0;
    for (int i = 0; i < n && k < size; i++) {
      if (bucket(weights[i]) <= last) {
        // Non-negative float bits order like the floats: invert them to sort heaviest first, then by id.
        keys[k++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(weights[i])) << 32) | i;
      }
    }
    Arrays.sort(keys, 0, k);
    int[] ids = new int[k];
    for (int i = 0; i < k; i++) {
      ids[i] = (int) keys[i];
    }
    return ids;
  }

  private static int bucket(float weight) {
    int exponent = Float.floatToRawIntBits(weight) >>> 23; // sign bit is 0
    return Math.max(0, Math.min(BUCKETS - 1, 127 - exponent));
  }
}
