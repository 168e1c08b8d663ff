package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** vLLM's min_tokens: no end-of-sequence before that many tokens, unless nothing else is allowed. */
class MinTokensTest {

  private static final int EOS = 2;

  /** Logits where EOS is by far the most likely token. */
  private static float[] eosFavoured() {
    float[] logits = new float[8];
    logits[EOS] = 10f;
    logits[5] = 1f;
    return logits;
  }

  @Test
  void endOfSequenceIsHeldBackUntilTheMinimum() {
    Sampler sampler = Samplers.create(SamplingParams.GREEDY.withMinTokens(3), 8, null, Set.of(EOS));
    for (int i = 0; i < 3; i++) {
      int token = sampler.sample(eosFavoured()).tokenId();
      assertNotEquals(EOS, token, "token " + i);
      sampler.accept(token);
    }
    assertEquals(EOS, sampler.sample(eosFavoured()).tokenId(), "free to end after the minimum");
  }

  @Test
  void withoutTheMinimumTheModelEndsAtOnce() {
    Sampler sampler = Samplers.create(SamplingParams.GREEDY, 8, null, Set.of(EOS));
    assertEquals(EOS, sampler.sample(eosFavoured()).tokenId());
  }

  @Test
  void whenNothingElseIsAllowedTheEndIsKept() {
    Sampler sampler = Samplers.create(SamplingParams.GREEDY.withMinTokens(5), 8, null, Set.of(EOS));
    float[] onlyEos = new float[8];
    java.util.Arrays.fill(onlyEos, Float.NEGATIVE_INFINITY);
    onlyEos[EOS] = 0f;
    assertEquals(EOS, sampler.sample(onlyEos).tokenId());
  }

  @Test
  void sampledDecodingHoldsItBackToo() {
    SamplingParams params = new SamplingParams(1.0, 1.0, 0, 7L, 0, 0, -1, LogitBias.NONE).withMinTokens(20);
    Sampler sampler = Samplers.create(params, 8, null, Set.of(EOS));
    for (int i = 0; i < 20; i++) {
      int token = sampler.sample(eosFavoured()).tokenId();
      assertNotEquals(EOS, token, "token " + i);
      sampler.accept(token);
    }
  }
}
