package dev.robin.serving.stats;

/**
 * A model replica's statistics, published by its actor after each step and read by {@code /health} and
 * {@code /metrics} without ever waiting on the step loop.
 *
 * @param modelId the served model's id
 * @param device DJL device name, e.g. {@code cpu()}
 * @param kernel how the replica's projections multiply (MKL packed SGEMM, or PyTorch linear and why); null
 *     while loading or failed
 * @param status whether the replica serves
 * @param numWaiting requests queued, not yet computing
 * @param numRunning sequences in the running batch
 * @param numPreemptedTotal preemptions since start
 * @param numKvBlocksUsed KV cache blocks held by sequences; cached prefix blocks that no
 *     sequence holds count as free, since they are evicted on demand
 * @param numKvBlocksTotal KV cache blocks in the pool
 * @param prefixCacheHitRate cached prompt tokens / prompt tokens, since start (0..1)
 * @param lastStepMillis duration of the latest step
 * @param tokensPerSecond1m generated tokens per second over the last minute
 * @param numRequestsTotal requests admitted since start
 * @param numGeneratedTokensTotal tokens generated since start
 * @param numCancelledTotal sequences cancelled since start
 * @param steps step durations and tokens per step by kind, and tokens computed, since start
 * @param constraints what output constraints cost: mask time per step, grammar lookups and compile times
 */
public record ModelStats(
    String modelId,
    String device,
    String kernel,
    Status status,
    int numWaiting,
    int numRunning,
    long numPreemptedTotal,
    int numKvBlocksUsed,
    int numKvBlocksTotal,
    double prefixCacheHitRate,
    double lastStepMillis,
    double tokensPerSecond1m,
    long numRequestsTotal,
    long numGeneratedTokensTotal,
    long numCancelledTotal,
    StepStats steps,
    ConstraintStats constraints) {

  public ModelStats {
    steps = steps == null ? StepStats.EMPTY : steps;
    constraints = constraints == null ? ConstraintStats.EMPTY : constraints;
  }

  /** A replica's figures without output constraints' costs (none constrained yet). */
  public ModelStats(
      String modelId, String device, String kernel, Status status, int numWaiting, int numRunning,
      long numPreemptedTotal, int numKvBlocksUsed, int numKvBlocksTotal, double prefixCacheHitRate,
      double lastStepMillis, double tokensPerSecond1m, long numRequestsTotal, long numGeneratedTokensTotal,
      long numCancelledTotal, StepStats steps) {
    this(modelId, device, kernel, status, numWaiting, numRunning, numPreemptedTotal, numKvBlocksUsed,
        numKvBlocksTotal, prefixCacheHitRate, lastStepMillis, tokensPerSecond1m, numRequestsTotal,
        numGeneratedTokensTotal, numCancelledTotal, steps, ConstraintStats.EMPTY);
  }

  /** A replica's state. */
  public enum Status {
    LOADING,
    READY,
    FAILED,
    STOPPING
  }

  public double kvCacheUsage() {
    return numKvBlocksTotal == 0 ? 0.0 : (double) numKvBlocksUsed / numKvBlocksTotal;
  }

  /** A replica that has no engine (yet, or ever): nothing but its status. */
  public static ModelStats withoutEngine(String modelId, String device, Status status) {
    return new ModelStats(modelId, device, null, status, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, StepStats.EMPTY);
  }

  public static ModelStats loading(String modelId, String device) {
    return withoutEngine(modelId, device, Status.LOADING);
  }
}
