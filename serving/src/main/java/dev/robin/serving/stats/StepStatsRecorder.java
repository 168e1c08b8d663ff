package dev.robin.serving.stats;

import dev.robin.engine.core.StepTokens;
import java.util.EnumMap;
import java.util.Map;

/**
 * Accumulates a replica's {@link StepStats} on its step thread: a few fixed arrays of longs updated per
 * step, and an immutable snapshot made only when something changed since the last one. Not thread-safe: the
 * owning actor records and snapshots; readers get the snapshots.
 */
public final class StepStatsRecorder {

  private static final int NUM_KINDS = StepKind.values().length;

  private final long[][] durationCounts = new long[NUM_KINDS][StepStats.DURATION_BOUNDS_SECONDS.length + 1];
  private final double[] durationSums = new double[NUM_KINDS];
  private final long[][] tokenCounts = new long[NUM_KINDS][StepStats.TOKEN_BOUNDS.length + 1];
  private final double[] tokenSums = new double[NUM_KINDS];
  private long numPromptTokensComputedTotal;
  private long numDecodeTokensComputedTotal;
  private StepStats snapshot = StepStats.EMPTY;
  private boolean changed;

  /** Counts one step that computed {@code tokens} in {@code seconds}; an empty step is not a step. */
  public void record(StepTokens tokens, double seconds) {
    if (tokens.isEmpty()) {
      return;
    }
    int kind = StepKind.of(tokens).ordinal();
    double duration = Math.max(0.0, seconds);
    durationCounts[kind][StepHistogram.bucketOf(StepStats.DURATION_BOUNDS_SECONDS, duration)]++;
    durationSums[kind] += duration;
    tokenCounts[kind][StepHistogram.bucketOf(StepStats.TOKEN_BOUNDS, tokens.numTokens())]++;
    tokenSums[kind] += tokens.numTokens();
    numPromptTokensComputedTotal += tokens.numPromptTokens();
    numDecodeTokensComputedTotal += tokens.numDecodeTokens();
    changed = true;
  }

  /** The figures so far; the same instance until another step is recorded. */
  public StepStats snapshot() {
    if (changed) {
      Map<StepKind, StepHistogram> durations = new EnumMap<>(StepKind.class);
      Map<StepKind, StepHistogram> tokens = new EnumMap<>(StepKind.class);
      for (StepKind kind : StepKind.values()) {
        int k = kind.ordinal();
        durations.put(kind, StepHistogram.of(StepStats.DURATION_BOUNDS_SECONDS, durationCounts[k], durationSums[k]));
        tokens.put(kind, StepHistogram.of(StepStats.TOKEN_BOUNDS, tokenCounts[k], tokenSums[k]));
      }
      snapshot = new StepStats(durations, tokens, numPromptTokensComputedTotal, numDecodeTokensComputedTotal);
      changed = false;
    }
    return snapshot;
  }
}
