package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * repetition_penalty as Hugging Face and vLLM define it: every token of the prompt or the output so far has its
 * positive logit divided by the penalty and its negative one multiplied; the reported log-probabilities are of
 * the penalized distribution.
 */
class RepetitionPenaltyTest {

  private static SampledToken greedy(double penalty, int[] prompt, int... generated) {
    Sampler sampler = Samplers.create(
        new SamplingParams(0.0, 1.0, 0, 1L, 0, 0, 4, LogitBias.NONE).withRepetitionPenalty(penalty), 4);
    sampler.prompt(prompt);
    for (int id : generated) {
      sampler.accept(id);
    }
    // Token 0 leads (3.0) over token 1 (2.0); token 2 at -1, token 3 at -2.
    return sampler.sample(new float[] {3f, 2f, -1f, -2f});
  }

  private static float logprobOf(SampledToken token, int id) {
    for (int i = 0; i < token.topIds().length; i++) {
      if (token.topIds()[i] == id) {
        return token.topLogprobs()[i];
      }
    }
    throw new AssertionError("no logprob for " + id);
  }

  @Test
  void promptAndOutputTokensArePenalized() {
    assertEquals(0, greedy(1.0, new int[] {0}).tokenId(), "1 is no penalty");
    assertEquals(1, greedy(2.0, new int[] {0}).tokenId(), "3/2 = 1.5 falls below 2: a prompt token is penalized");
    assertEquals(1, greedy(2.0, new int[] {}, 0).tokenId(), "an output token is penalized too");
    assertEquals(0, greedy(1.4, new int[] {0}).tokenId(), "3/1.4 = 2.14 still leads");
  }

  @Test
  void negativeLogitsAreMultipliedAndLogprobsAreOfThePenalizedDistribution() {
    SampledToken token = greedy(2.0, new int[] {2});
    // Logits after the penalty: 3, 2, -2, -2: tokens 2 and 3 now equally likely.
    assertEquals(logprobOf(token, 3), logprobOf(token, 2), 1e-6);
    double z = Math.log(Math.exp(3) + Math.exp(2) + 2 * Math.exp(-2));
    assertEquals(3 - z, logprobOf(token, 0), 1e-5);
  }

  @Test
  void outOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(SamplingParams.GREEDY.withRepetitionPenalty(0.0), 4));
    assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(SamplingParams.GREEDY.withRepetitionPenalty(Double.NaN), 4));
  }
}
