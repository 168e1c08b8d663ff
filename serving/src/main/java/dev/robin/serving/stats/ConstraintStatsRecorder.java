package dev.robin.serving.stats;

import dev.robin.engine.sampling.ConstraintMeter;

/**
 * Accumulates a replica's {@link ConstraintStats} from its engine's {@link ConstraintMeter} after each step, like
 * {@link StepStatsRecorder}: fixed arrays updated per step, a snapshot made only when something changed. Not
 * thread-safe: the owning actor records and snapshots.
 */
final class ConstraintStatsRecorder {

  private final long[] maskCounts = new long[ConstraintStats.MASK_BOUNDS_SECONDS.length + 1];
  private double maskSum;
  private final long[] compileCounts = new long[ConstraintStats.COMPILE_BOUNDS_SECONDS.length + 1];
  private double compileSum;
  private long numMaskedTotal;
  private long numCacheHitsTotal;
  private long numCompilationsTotal;
  private ConstraintStats snapshot = ConstraintStats.EMPTY;
  private boolean changed;

  /** Reads the latest step's mask time and the compilations since the previous call. */
  void record(ConstraintMeter meter) {
    if (meter.stepSequences() > 0) {
      double seconds = meter.stepNanos() / 1e9;
      maskCounts[StepHistogram.bucketOf(ConstraintStats.MASK_BOUNDS_SECONDS, seconds)]++;
      maskSum += seconds;
      numMaskedTotal += meter.stepSequences();
      changed = true;
    }
    for (long nanos : meter.drainCompileNanos()) {
      double seconds = nanos / 1e9;
      compileCounts[StepHistogram.bucketOf(ConstraintStats.COMPILE_BOUNDS_SECONDS, seconds)]++;
      compileSum += seconds;
      changed = true;
    }
    if (meter.numCacheHitsTotal() != numCacheHitsTotal || meter.numCompilationsTotal() != numCompilationsTotal) {
      numCacheHitsTotal = meter.numCacheHitsTotal();
      numCompilationsTotal = meter.numCompilationsTotal();
      changed = true;
    }
  }

  /** The figures so far; the same instance until something else is recorded. */
  ConstraintStats snapshot() {
    if (changed) {
      snapshot = new ConstraintStats(
          StepHistogram.of(ConstraintStats.MASK_BOUNDS_SECONDS, maskCounts, maskSum),
          StepHistogram.of(ConstraintStats.COMPILE_BOUNDS_SECONDS, compileCounts, compileSum),
          numMaskedTotal, numCacheHitsTotal, numCompilationsTotal);
      changed = false;
    }
    return snapshot;
  }
}
