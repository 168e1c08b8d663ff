package dev.robin.engine.sampling;

import dev.robin.engine.grammar.GrammarMatcher;

/**
 * A sampler whose sequence must follow a grammar: before each pick, the tokens the sequence's
 * {@link GrammarMatcher} does not allow next get a logit of -infinity (so greedy, sampled and log-probabilities
 * all see the masked distribution); each picked token advances the matcher. The mask depends only on this
 * sequence's own state, so a constrained request gives the same tokens alone and in any batch.
 */
final class ConstrainedSampler implements Sampler {

  private final Sampler delegate;
  private final GrammarMatcher matcher;
  private final long[] mask;
  private final int[] stopIds;
  private final ConstraintMeter meter;

  ConstrainedSampler(Sampler delegate, GrammarMatcher matcher, int[] stopIds, ConstraintMeter meter) {
    this.delegate = delegate;
    this.matcher = matcher;
    this.mask = matcher.newMask();
    this.stopIds = stopIds.clone();
    this.meter = meter;
  }

  @Override
  public SampledToken sample(float[] logits) {
    long start = System.nanoTime();
    applyMask(logits);
    meter.masked(System.nanoTime() - start);
    return withoutMaskedAlternatives(delegate.sample(logits));
  }

  /** Fills the matcher's mask and sets every logit it rules out to -infinity. */
  private void applyMask(float[] logits) {
    matcher.fillMask(mask);
    boolean any = false;
    for (long word : mask) {
      any |= word != 0;
    }
    if (!any) {
      // A dead end (the grammar allows nothing more): end the sequence rather than emit a token it forbids.
      for (int stop : stopIds) {
        mask[stop >>> 6] |= 1L << stop;
      }
    }
    for (int id = 0; id < logits.length; id++) {
      int word = id >>> 6;
      if (word >= mask.length || (mask[word] & (1L << id)) == 0) {
        logits[id] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  @Override
  public void prompt(int[] promptIds) {
    delegate.prompt(promptIds);
  }

  @Override
  public void accept(int tokenId) {
    long start = System.nanoTime();
    matcher.accept(tokenId);
    meter.advanced(System.nanoTime() - start);
    delegate.accept(tokenId);
  }

  /** Top alternatives the mask ruled out (log-probability -infinity) are not alternatives: left out. */
  private static SampledToken withoutMaskedAlternatives(SampledToken token) {
    float[] top = token.topLogprobs();
    int kept = 0;
    for (float logprob : top) {
      kept += logprob == Float.NEGATIVE_INFINITY ? 0 : 1;
    }
    if (kept == top.length) {
      return token;
    }
    int[] ids = new int[kept];
    float[] logprobs = new float[kept];
    int k = 0;
    for (int i = 0; i < top.length; i++) {
      if (top[i] != Float.NEGATIVE_INFINITY) {
        ids[k] = token.topIds()[i];
        logprobs[k++] = top[i];
      }
    }
    return new SampledToken(token.tokenId(), token.logprob(), ids, logprobs);
  }
}
