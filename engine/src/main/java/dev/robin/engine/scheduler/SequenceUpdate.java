package dev.robin.engine.scheduler;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.sampling.SampledToken;

/**
 * What one step did to one sequence: its new token (null when it failed), and whether it finished.
 *
 * @param requestId the request the sequence generates for
 * @param token the token appended this step; null only with {@link FinishReason#ERROR}
 * @param finishReason why it finished, or null while it keeps running
 * @param numPromptTokens prompt length
 * @param numGeneratedTokens tokens generated so far, including {@code token}
 * @param numCachedPromptTokens prompt tokens found in the prefix cache when it was first scheduled
 */
public record SequenceUpdate(
    String requestId,
    SampledToken token,
    FinishReason finishReason,
    int numPromptTokens,
    int numGeneratedTokens,
    int numCachedPromptTokens) {

  public boolean isFinished() {
    return finishReason != null;
  }

  /** Whether this is the sequence's first generated token. */
  public boolean isFirstToken() {
    return token != null && numGeneratedTokens == 1;
  }
}
