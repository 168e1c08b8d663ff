package dev.robin.serving.stats;

import java.util.EnumMap;
import java.util.Map;

/**
 * A replica's step figures since start, immutable and cumulative (they only grow, like Prometheus counters):
 * per {@link StepKind}, a histogram of step durations and one of tokens per step, and the prompt and decode
 * tokens computed. Published inside {@link ModelStats}.
 *
 * @param durationSeconds step durations in seconds, per kind (every kind present)
 * @param numTokens tokens computed per step, per kind (every kind present)
 * @param numPromptTokensComputedTotal prompt tokens computed, i.e. not served from the prefix cache
 *     (recomputation after a preemption included)
 * @param numDecodeTokensComputedTotal decode tokens computed (one per decoding sequence per step)
 */
public record StepStats(
    Map<StepKind, StepHistogram> durationSeconds,
    Map<StepKind, StepHistogram> numTokens,
    long numPromptTokensComputedTotal,
    long numDecodeTokensComputedTotal) {

  /** Upper bounds of the duration buckets: 5 ms (a tiny model's decode) to 5 s (a huge prefill). */
  static final double[] DURATION_BOUNDS_SECONDS = {
    0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5
  };

  /** Upper bounds of the tokens-per-step buckets: powers of two, like the scheduler's usual budgets. */
  static final double[] TOKEN_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192};

  /** No steps yet. */
  public static final StepStats EMPTY =
      new StepStats(
          filled(StepHistogram.empty(DURATION_BOUNDS_SECONDS)), filled(StepHistogram.empty(TOKEN_BOUNDS)), 0, 0);

  public StepStats {
    durationSeconds = complete(durationSeconds, "durationSeconds");
    numTokens = complete(numTokens, "numTokens");
    if (numPromptTokensComputedTotal < 0 || numDecodeTokensComputedTotal < 0) {
      throw new IllegalArgumentException("token totals must not be negative");
    }
  }

  public StepHistogram durationSeconds(StepKind kind) {
    return durationSeconds.get(kind);
  }

  public StepHistogram numTokens(StepKind kind) {
    return numTokens.get(kind);
  }

  /** Steps computed since start, of every kind. */
  public long numStepsTotal() {
    long n = 0;
    for (StepHistogram h : durationSeconds.values()) {
      n += h.count();
    }
    return n;
  }

  /** Both replicas' steps together (one model's figures over its replicas). */
  public StepStats plus(StepStats other) {
    Map<StepKind, StepHistogram> durations = new EnumMap<>(StepKind.class);
    Map<StepKind, StepHistogram> tokens = new EnumMap<>(StepKind.class);
    for (StepKind kind : StepKind.values()) {
      durations.put(kind, durationSeconds(kind).plus(other.durationSeconds(kind)));
      tokens.put(kind, numTokens(kind).plus(other.numTokens(kind)));
    }
    return new StepStats(
        durations,
        tokens,
        numPromptTokensComputedTotal + other.numPromptTokensComputedTotal,
        numDecodeTokensComputedTotal + other.numDecodeTokensComputedTotal);
  }

  private static Map<StepKind, StepHistogram> filled(StepHistogram h) {
    Map<StepKind, StepHistogram> map = new EnumMap<>(StepKind.class);
    for (StepKind kind : StepKind.values()) {
      map.put(kind, h);
    }
    return map;
  }

  private static Map<StepKind, StepHistogram> complete(Map<StepKind, StepHistogram> map, String name) {
    for (StepKind kind : StepKind.values()) {
      if (map.get(kind) == null) {
        throw new IllegalArgumentException(name + " lacks the " + kind.label() + " histogram");
      }
    }
    return Map.copyOf(map);
  }
}
