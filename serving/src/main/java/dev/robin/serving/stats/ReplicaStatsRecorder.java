package dev.robin.serving.stats;

import dev.robin.engine.core.EngineStats;
import dev.robin.engine.core.StepTokens;
import dev.robin.engine.sampling.ConstraintMeter;

/**
 * The one place a serving replica's {@link ModelStats} are built: it counts what the replica's actor did (steps,
 * requests, tokens, cancellations) and combines that with the engine's own figures. Not thread-safe: the
 * replica's actor owns it and publishes the snapshots.
 */
public final class ReplicaStatsRecorder {

  private final String modelId;
  private final String device;
  private final TokenRateWindow tokenRate = new TokenRateWindow();
  private final StepStatsRecorder steps = new StepStatsRecorder();
  private final ConstraintStatsRecorder constraints = new ConstraintStatsRecorder();
  private double lastStepMillis;
  private long numRequestsTotal;
  private long numGeneratedTokensTotal;
  private long numCancelledTotal;

  public ReplicaStatsRecorder(String modelId, String device) {
    this.modelId = modelId;
    this.device = device;
  }

  /** A request was admitted. */
  public void requestAdmitted() {
    numRequestsTotal++;
  }

  /** A sequence was cancelled before it finished. */
  public void cancelled() {
    numCancelledTotal++;
  }

  /** One step computed {@code tokens} (as the engine counts them) and produced {@code numNewTokens}. */
  public void step(StepTokens tokens, long startNanos, long endNanos, long numNewTokens) {
    double seconds = (endNanos - startNanos) / 1e9;
    steps.record(tokens, seconds);
    lastStepMillis = seconds * 1e3;
    numGeneratedTokensTotal += numNewTokens;
    tokenRate.record(numNewTokens, endNanos);
  }

  /**
   * As {@link #step(StepTokens, long, long, long)}, with what the step's output constraints cost and the grammar
   * lookups since the previous step, read from the engine's {@code constraintMeter}.
   */
  public void step(
      StepTokens tokens, long startNanos, long endNanos, long numNewTokens, ConstraintMeter constraintMeter) {
    step(tokens, startNanos, endNanos, numNewTokens);
    constraints.record(constraintMeter);
  }

  /** The replica's figures now: its engine's state and counters beside the actor's own. */
  public ModelStats snapshot(ModelStats.Status status, String kernel, EngineStats engine) {
    return new ModelStats(
        modelId,
        device,
        kernel,
        status,
        engine.numWaiting(),
        engine.numRunning(),
        engine.numPreemptionsTotal(),
        engine.numKvBlocksUsed(),
        engine.numKvBlocksTotal(),
        engine.prefixCacheHitRate(),
        lastStepMillis,
        tokenRate.tokensPerSecond(System.nanoTime()),
        numRequestsTotal,
        numGeneratedTokensTotal,
        numCancelledTotal,
        steps.snapshot(),
        constraints.snapshot());
  }
}
