package dev.robin.engine.sampling;

import dev.robin.engine.grammar.GrammarCache;
import java.util.Arrays;

/**
 * What output constraints cost one engine (one replica): the time each step spent on token masks, and how its
 * grammar lookups went (cache hits, compilations and their durations). The engine's {@link ConstrainedSampler}s
 * and grammar lookups report here; the engine starts each step, and its owner reads the step's figures after it
 * and {@link #drainCompileNanos() drains} the compilations. Used only on the engine's thread (samplers are created
 * and run there); not thread-safe.
 */
public final class ConstraintMeter implements GrammarCache.Observer {

  private int stepSequences;
  private long stepNanos;
  private long numCacheHitsTotal;
  private long numCompilationsTotal;
  private long[] compileNanos = new long[4];
  private int numCompileNanos;

  /** A new step: its mask time starts at zero. */
  public void startStep() {
    stepSequences = 0;
    stepNanos = 0;
  }

  /** A constrained sequence's mask was filled and applied in {@code nanos} this step. */
  void masked(long nanos) {
    stepSequences++;
    stepNanos += nanos;
  }

  /** A constrained sequence's matcher advanced over its new token in {@code nanos} this step. */
  void advanced(long nanos) {
    stepNanos += nanos;
  }

  /** Constrained sequences sampled in the current (or latest) step. */
  public int stepSequences() {
    return stepSequences;
  }

  /** Time the current (or latest) step spent filling and applying masks and advancing matchers. */
  public long stepNanos() {
    return stepNanos;
  }

  @Override
  public void hit() {
    numCacheHitsTotal++;
  }

  @Override
  public void compiled(long nanos) {
    numCompilationsTotal++;
    if (numCompileNanos == compileNanos.length) {
      compileNanos = Arrays.copyOf(compileNanos, 2 * compileNanos.length);
    }
    compileNanos[numCompileNanos++] = nanos;
  }

  /** Grammar lookups that found the grammar compiled, since start. */
  public long numCacheHitsTotal() {
    return numCacheHitsTotal;
  }

  /** Grammar lookups that compiled it (cache misses), since start. */
  public long numCompilationsTotal() {
    return numCompilationsTotal;
  }

  /** The durations of the compilations since the last call, oldest first; forgets them. */
  public long[] drainCompileNanos() {
    long[] drained = Arrays.copyOf(compileNanos, numCompileNanos);
    numCompileNanos = 0;
    return drained;
  }
}
