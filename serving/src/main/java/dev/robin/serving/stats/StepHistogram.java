package dev.robin.serving.stats;

import java.util.Arrays;

/**
 * An immutable fixed-bucket histogram (a Prometheus classic histogram's content): per-bucket counts for
 * ascending finite upper bounds plus one bucket above the last bound (+Inf), and the sum of the observed
 * values. A value equal to a bound lands in that bound's bucket, as Prometheus's {@code le} says.
 */
public final class StepHistogram {

  private final double[] upperBounds;
  private final long[] counts;
  private final double sum;

  private StepHistogram(double[] upperBounds, long[] counts, double sum) {
    this.upperBounds = upperBounds;
    this.counts = counts;
    this.sum = sum;
  }

  /** No observations over {@code upperBounds} (finite, strictly ascending). */
  public static StepHistogram empty(double[] upperBounds) {
    return of(upperBounds, new long[upperBounds.length + 1], 0.0);
  }

  /**
   * A copy of {@code counts} (per bucket, not cumulative; one more than there are bounds) over
   * {@code upperBounds}.
   */
  public static StepHistogram of(double[] upperBounds, long[] counts, double sum) {
    requireAscendingFinite(upperBounds);
    if (counts.length != upperBounds.length + 1) {
      throw new IllegalArgumentException(
          "need " + (upperBounds.length + 1) + " bucket counts (the last for +Inf), got " + counts.length);
    }
    for (long c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("bucket counts must not be negative: " + Arrays.toString(counts));
      }
    }
    return new StepHistogram(upperBounds.clone(), counts.clone(), sum);
  }

  /** Index of the bucket {@code value} falls in, among {@code upperBounds.length + 1} buckets. */
  static int bucketOf(double[] upperBounds, double value) {
    int i = Arrays.binarySearch(upperBounds, value);
    return i >= 0 ? i : -i - 1; // an exact bound is "less or equal"; otherwise the first larger bound
  }

  /** Buckets including the last, unbounded one. */
  public int numBuckets() {
    return counts.length;
  }

  /** Upper bound of bucket {@code i}; {@code +Inf} for the last. */
  public double upperBound(int i) {
    return i == upperBounds.length ? Double.POSITIVE_INFINITY : upperBounds[i];
  }

  /** Observations in bucket {@code i} alone. */
  public long bucketCount(int i) {
    return counts[i];
  }

  /** Observations at most {@link #upperBound(int) upperBound(i)} (Prometheus's {@code _bucket{le=…}}). */
  public long cumulativeCount(int i) {
    long n = 0;
    for (int j = 0; j <= i; j++) {
      n += counts[j];
    }
    return n;
  }

  public long count() {
    return cumulativeCount(counts.length - 1);
  }

  public double sum() {
    return sum;
  }

  /** The finite upper bounds (a copy). */
  public double[] upperBounds() {
    return upperBounds.clone();
  }

  /** The per-bucket counts (a copy), the last for +Inf. */
  public long[] bucketCounts() {
    return counts.clone();
  }

  /** Both histograms' observations together (several replicas of one model); the bounds must match. */
  public StepHistogram plus(StepHistogram other) {
    if (!Arrays.equals(upperBounds, other.upperBounds)) {
      throw new IllegalArgumentException("histograms with different buckets cannot be added");
    }
    long[] merged = counts.clone();
    for (int i = 0; i < merged.length; i++) {
      merged[i] += other.counts[i];
    }
    return new StepHistogram(upperBounds, merged, sum + other.sum);
  }

  private static void requireAscendingFinite(double[] upperBounds) {
    for (int i = 0; i < upperBounds.length; i++) {
      if (!Double.isFinite(upperBounds[i]) || (i > 0 && upperBounds[i] <= upperBounds[i - 1])) {
        throw new IllegalArgumentException(
            "upper bounds must be finite and strictly ascending: " + Arrays.toString(upperBounds));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StepHistogram h
        && Arrays.equals(upperBounds, h.upperBounds)
        && Arrays.equals(counts, h.counts)
        && Double.compare(sum, h.sum) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(counts)) + Double.hashCode(sum);
  }

  @Override
  public String toString() {
    return "StepHistogram" + Arrays.toString(counts) + " sum=" + sum;
  }
}
