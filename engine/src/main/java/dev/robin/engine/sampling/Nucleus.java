package dev.robin.engine.sampling;

import java.util.Arrays;

/**
 * The top-p candidates of a whole vocabulary without sorting it: tokens are bucketed by log-weight
 * (a quarter nat per bucket), bucket masses locate the bucket where the cumulative mass crosses top_p,
 * and only tokens of that bucket and the heavier ones are sorted. O(V) plus a sort of about the nucleus.
 */
final class Nucleus {

  private static final int BUCKETS_PER_NAT = 4;
  private static final int BUCKETS = 64 * BUCKETS_PER_NAT; // the last bucket holds everything below e^-64

  private Nucleus() {}

  /**
   * Ids whose weights, heaviest first (lowest id first among equals), cover at least {@code needed};
   * a superset of the nucleus, which the caller cuts exactly.
   *
   * @param weights {@code exp((logit - max) / temperature)} per id
   */
  static int[] candidates(float[] logits, float max, double temperature, float[] weights, double needed) {
    double[] mass = new double[BUCKETS];
    int[] count = new int[BUCKETS];
    int n = logits.length;
    for (int i = 0; i < n; i++) {
      int b = bucket(logits[i], max, temperature);
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
      if (bucket(logits[i], max, temperature) <= last) {
        // Non-negative float bits order like the floats: invert them to sort heaviest first, then by id.
        keys[k++] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(weights[i])) << 32) | i;
      }
    }
    Arrays.sort(keys, 0, k);
    int[] ids = new int[k];
    for (int i = 0; i < k; i++) {
      ids[i] = (int) keys[i];
    }
    return ids;
  }

  private static int bucket(float logit, float max, double temperature) {
    double nats = (max - logit) / temperature; // >= 0; +infinity for -infinity logits
    return nats >= 64.0 ? BUCKETS - 1 : (int) (nats * BUCKETS_PER_NAT);
  }
}
