package dev.robin.engine.sampling;

/**
 * vLLM's {@code min_tokens}: until the sequence has that many tokens, its end-of-sequence tokens get a logit of
 * -infinity, so the model says more instead of stopping. When nothing else is allowed (an output constraint whose
 * document is complete), the end is left allowed: a constraint's end wins over a minimum length.
 */
final class MinTokensSampler implements Sampler {

  private final Sampler delegate;
  private final int minTokens;
  private final int[] eosIds;
  private int generated;

  MinTokensSampler(Sampler delegate, int minTokens, int[] eosIds) {
    this.delegate = delegate;
    this.minTokens = minTokens;
    this.eosIds = eosIds.clone();
  }

  @Override
  public SampledToken sample(float[] logits) {
    if (generated < minTokens && anyOtherAllowed(logits)) {
      for (int eos : eosIds) {
        if (eos >= 0 && eos < logits.length) {
          logits[eos] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    return delegate.sample(logits);
  }

  @Override
  public void prompt(int[] promptIds) {
    delegate.prompt(promptIds);
  }

  @Override
  public void accept(int tokenId) {
    generated++;
    delegate.accept(tokenId);
  }

  private boolean anyOtherAllowed(float[] logits) {
    outer:
    for (int id = 0; id < logits.length; id++) {
      if (logits[id] == Float.NEGATIVE_INFINITY || Float.isNaN(logits[id])) {
        continue;
      }
      for (int eos : eosIds) {
        if (eos == id) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
