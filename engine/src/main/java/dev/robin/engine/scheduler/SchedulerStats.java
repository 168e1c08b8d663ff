package dev.robin.engine.scheduler;

/**
 * Counters of a scheduler, a snapshot.
 *
 * @param numWaiting sequences queued (new or preempted)
 * @param numRunning sequences holding KV blocks
 * @param numPreemptionsTotal preemptions since start
 * @param numPromptTokensTotal prompt tokens of admitted sequences, since start
 * @param numCachedPromptTokensTotal of those, tokens taken from the prefix cache
 * @param numGeneratedTokensTotal tokens generated since start
 */
public record SchedulerStats(
    int numWaiting,
    int numRunning,
    long numPreemptionsTotal,
    long numPromptTokensTotal,
    long numCachedPromptTokensTotal,
    long numGeneratedTokensTotal) {

  /** Cached prompt tokens / prompt tokens, 0 before any prompt. */
  public double prefixCacheHitRate() {
    return numPromptTokensTotal == 0 ? 0.0 : (double) numCachedPromptTokensTotal / numPromptTokensTotal;
  }
}
