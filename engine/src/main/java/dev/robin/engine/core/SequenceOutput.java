package dev.robin.engine.core;

import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.request.FinishReason;
import java.util.List;

/**
 * What one step produced for one sequence.
 *
 * @param requestId the request's id
 * @param newTokens tokens generated this step, in order (an end-of-sequence token is included, as the
 *     last one); empty when the sequence failed
 * @param finishReason why the sequence ended, or null while it keeps running
 * @param numPromptTokens prompt length
 * @param numGeneratedTokens tokens generated so far, including {@code newTokens}
 * @param numCachedPromptTokens prompt tokens taken from the prefix cache when first scheduled
 */
public record SequenceOutput(
    String requestId,
    List<SampledToken> newTokens,
    FinishReason finishReason,
    int numPromptTokens,
    int numGeneratedTokens,
    int numCachedPromptTokens) {

  public boolean isFinished() {
    return finishReason != null;
  }

  /** Whether this output carries the sequence's first generated token. */
  public boolean isFirst() {
    return !newTokens.isEmpty() && numGeneratedTokens == newTokens.size();
  }
}
