package dev.robin.bench.stats;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies recorded in microseconds to three significant digits (HdrHistogram: fixed memory whatever the
 * number of samples, exact percentile definition, values up to hours without overflow). Not thread-safe.
 */
public final class LatencyHistogram {

  private final Histogram histogram = new Histogram(3);

  public void recordNanos(long nanos) {
    histogram.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The summary in milliseconds; all zeros (count 0) when nothing was recorded. */
  public Percentiles toMillis() {
    if (histogram.getTotalCount() == 0) {
      return Percentiles.EMPTY;
    }
    return new Percentiles(
        histogram.getTotalCount(),
        ms(histogram.getValueAtPercentile(50)),
        ms(histogram.getValueAtPercentile(90)),
        ms(histogram.getValueAtPercentile(99)),
        histogram.getMean() / 1000.0,
        ms(histogram.getMinValue()),
        ms(histogram.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
