package dev.robin.serving.stats;

/**
 * What output constraints (structured outputs) cost a replica since start, cumulative like {@link StepStats}:
 * the time steps with constrained sequences spent on token masks, and the grammar lookups of the requests it
 * admitted. Published inside {@link ModelStats}.
 *
 * @param maskSeconds per step with at least one constrained sequence: the time spent filling and applying their
 *     masks and advancing their matchers, in seconds
 * @param compileSeconds per grammar compiled (a lookup that missed the model's cache), its compile time in seconds
 * @param numMaskedTotal constrained sequences sampled, summed over steps (masks filled)
 * @param numCacheHitsTotal grammar lookups that found the grammar compiled
 * @param numCompilationsTotal grammar lookups that compiled it (misses)
 */
public record ConstraintStats(
    StepHistogram maskSeconds,
    StepHistogram compileSeconds,
    long numMaskedTotal,
    long numCacheHitsTotal,
    long numCompilationsTotal) {

  /** Upper bounds of the mask-time buckets: 1-2-5 steps from 10 µs (a few cached masks) to 1 s. */
  static final double[] MASK_BOUNDS_SECONDS = {
    1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1
  };

  /** Upper bounds of the compile-time buckets: 1 ms to 10 s. */
  static final double[] COMPILE_BOUNDS_SECONDS = {
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10
  };

  /** Nothing constrained yet. */
  public static final ConstraintStats EMPTY = new ConstraintStats(
      StepHistogram.empty(MASK_BOUNDS_SECONDS), StepHistogram.empty(COMPILE_BOUNDS_SECONDS), 0, 0, 0);

  public ConstraintStats {
    if (maskSeconds == null || compileSeconds == null) {
      throw new IllegalArgumentException("both histograms are required");
    }
    if (numMaskedTotal < 0 || numCacheHitsTotal < 0 || numCompilationsTotal < 0) {
      throw new IllegalArgumentException("totals must not be negative");
    }
  }

  /** Both replicas' figures together. */
  public ConstraintStats plus(ConstraintStats other) {
    return new ConstraintStats(
        maskSeconds.plus(other.maskSeconds),
        compileSeconds.plus(other.compileSeconds),
        numMaskedTotal + other.numMaskedTotal,
        numCacheHitsTotal + other.numCacheHitsTotal,
        numCompilationsTotal + other.numCompilationsTotal);
  }
}
