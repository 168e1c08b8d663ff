package dev.robin.engine.scheduler;

import java.util.Set;

/**
 * How the scheduler fills each step.
 *
 * @param maxNumBatchedTokens token budget of one step: prompt chunks plus one token per decoding sequence
 * @param maxNumSeqs cap on sequences in the running batch
 * @param maxNumWaiting cap on requests queued before admission; beyond it requests are refused
 * @param blockSize tokens per KV block (must equal the runner's)
 * @param maxModelLen longest sequence (prompt + generated) the model may see
 * @param eosTokenIds tokens that end a sequence with {@link FinishReason#STOP}
 * @param enablePrefixCaching whether full blocks are shared between sequences with the same prefix
 * @param maxPrefillTokensWhileDecoding prompt tokens a step may carry besides its decoding sequences' tokens
 *     while few sequences decode: every decoding stream waits for the whole step, so this bounds inter-token
 *     latency under load (prompts of an idle replica still get the whole budget)
 * @param prefillTokensPerDecodingSequence with many decoding sequences, the prompt tokens a step may carry per
 *     sequence when that is more than {@code maxPrefillTokensWhileDecoding}: their steps are long anyway, and
 *     new prompts must be admitted as fast as the many streams finish (0: a fixed cap)
 */
public record SchedulerConfig(
    int maxNumBatchedTokens,
    int maxNumSeqs,
    int maxNumWaiting,
    int blockSize,
    int maxModelLen,
    Set<Integer> eosTokenIds,
    boolean enablePrefixCaching,
    int maxPrefillTokensWhileDecoding,
    int prefillTokensPerDecodingSequence) {

  public SchedulerConfig {
    requirePositive("maxNumBatchedTokens", maxNumBatchedTokens);
    requirePositive("maxNumSeqs", maxNumSeqs);
    requirePositive("maxNumWaiting", maxNumWaiting);
    requirePositive("blockSize", blockSize);
    requirePositive("maxModelLen", maxModelLen);
    requirePositive("maxPrefillTokensWhileDecoding", maxPrefillTokensWhileDecoding);
    if (prefillTokensPerDecodingSequence < 0) {
      throw new IllegalArgumentException(
          "prefillTokensPerDecodingSequence must not be negative, got " + prefillTokensPerDecodingSequence);
    }
    if (maxNumSeqs > maxNumBatchedTokens) {
      // Otherwise the newest decoding sequences would get no token in a full step, step after step.
      throw new IllegalArgumentException(
          "maxNumSeqs (" + maxNumSeqs + ") must not exceed maxNumBatchedTokens (" + maxNumBatchedTokens + ")");
    }
    eosTokenIds = Set.copyOf(eosTokenIds);
  }

  /**
   * Defaults: budget 512 tokens, 64 sequences, 256 waiting, blocks of 16, prefix caching on, no separate cap on
   * prompt tokens beside decoding sequences (the whole budget).
   */
  public static SchedulerConfig defaults(int maxModelLen, Set<Integer> eosTokenIds) {
    return new SchedulerConfig(512, 64, 256, 16, maxModelLen, eosTokenIds, true, 512, 0);
  }

  /** Prompt tokens a step may carry beside {@code decoding} decoding sequences (at most what the budget leaves). */
  public int prefillTokensWhileDecoding(int decoding) {
    return (int) Math.min(Integer.MAX_VALUE,
        Math.max(maxPrefillTokensWhileDecoding, (long) prefillTokensPerDecodingSequence * decoding));
  }

  public SchedulerConfig withMaxNumBatchedTokens(int value) {
    return new SchedulerConfig(
        value, maxNumSeqs, maxNumWaiting, blockSize, maxModelLen, eosTokenIds,
        enablePrefixCaching, maxPrefillTokensWhileDecoding, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withMaxNumSeqs(int value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, value, maxNumWaiting, blockSize, maxModelLen, eosTokenIds,
        enablePrefixCaching, maxPrefillTokensWhileDecoding, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withMaxNumWaiting(int value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, maxNumSeqs, value, blockSize, maxModelLen, eosTokenIds,
        enablePrefixCaching, maxPrefillTokensWhileDecoding, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withBlockSize(int value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, maxNumSeqs, maxNumWaiting, value, maxModelLen, eosTokenIds,
        enablePrefixCaching, maxPrefillTokensWhileDecoding, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withPrefixCaching(boolean value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, maxNumSeqs, maxNumWaiting, blockSize, maxModelLen, eosTokenIds, value,
        maxPrefillTokensWhileDecoding, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withMaxPrefillTokensWhileDecoding(int value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, maxNumSeqs, maxNumWaiting, blockSize, maxModelLen, eosTokenIds, enablePrefixCaching,
        value, prefillTokensPerDecodingSequence);
  }

  public SchedulerConfig withPrefillTokensPerDecodingSequence(int value) {
    return new SchedulerConfig(
        maxNumBatchedTokens, maxNumSeqs, maxNumWaiting, blockSize, maxModelLen, eosTokenIds, enablePrefixCaching,
        maxPrefillTokensWhileDecoding, value);
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
