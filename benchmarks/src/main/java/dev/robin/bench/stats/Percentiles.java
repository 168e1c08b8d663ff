package dev.robin.bench.stats;

/**
 * A latency distribution in milliseconds. A percentile p is the smallest recorded value such that at
 * least p% of the samples are less than or equal to it (HdrHistogram's definition, to 3 significant digits).
 */
public record Percentiles(long count, double p50, double p90, double p99, double mean, double min, double max) {

  public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0, 0);
}
