package dev.robin.engine.core;

/**
 * A snapshot of an engine's state and counters.
 *
 * @param numWaiting sequences queued (new or preempted)
 * @param numRunning sequences holding KV blocks
 * @param numPreemptionsTotal preemptions since start
 * @param numKvBlocksUsed blocks held by sequences
 * @param numKvBlocksTotal blocks in the pool
 * @param numKvBlocksCached blocks registered in the prefix cache (held or evictable)
 * @param prefixCacheHitRate cached prompt tokens / prompt tokens since start (0..1)
 * @param numPromptTokensTotal prompt tokens of scheduled sequences since start
 * @param numGeneratedTokensTotal tokens generated since start
 * @param numStepsTotal steps computed since start
 * @param numFailedStepsTotal steps whose runner failed
 * @param lastStepNumTokens tokens computed by the latest step
 */
public record EngineStats(
    int numWaiting,
    int numRunning,
    long numPreemptionsTotal,
    int numKvBlocksUsed,
    int numKvBlocksTotal,
    int numKvBlocksCached,
    double prefixCacheHitRate,
    long numPromptTokensTotal,
    long numGeneratedTokensTotal,
    long numStepsTotal,
    long numFailedStepsTotal,
    int lastStepNumTokens) {}
