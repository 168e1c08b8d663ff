package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogitBiasSamplerTest {

  private static final int VOCAB = 500;

  private static float[] randomLogits(long seed) {
    Random r = new Random(seed);
    float[] logits = new float[VOCAB];
    for (int i = 0; i < VOCAB; i++) {
      logits[i] = (float) (r.nextGaussian() * 3.0);
    }
    return logits;
  }

  private static SamplingParams greedy(LogitBias bias, int topLogprobs) {
    return new SamplingParams(0.0, 1.0, 0, null, 0.0, 0.0, topLogprobs, bias);
  }

  private static LogitBias bias(int id, float value) {
    return LogitBias.of(new int[] {id}, new float[] {value});
  }

  @Test
  void minusHundredBansTheArgmaxUnderGreedy() {
    float[] logits = randomLogits(1);
    int argmax = DefaultSampler.argmax(logits);
    int runnerUp = DefaultSampler.argmax(withBanned(logits, argmax));
    int chosen = Samplers.create(greedy(bias(argmax, -100f), -1), VOCAB).sample(logits.clone()).tokenId();
    assertNotEquals(argmax, chosen);
    assertEquals(runnerUp, chosen);
  }

  @Test
  void plusHundredForcesATokenUnderGreedy() {
    float[] logits = randomLogits(2);
    int weakest = argmin(logits);
    assertEquals(weakest, Samplers.create(greedy(bias(weakest, 100f), -1), VOCAB).sample(logits).tokenId());
  }

  @Test
  void plusHundredForcesATokenWhenSamplingWithASeed() {
    int forced = 123;
    Sampler sampler =
        Samplers.create(new SamplingParams(1.0, 1.0, 0, 42L, 0.0, 0.0, -1, bias(forced, 100f)), VOCAB);
    for (int step = 0; step < 200; step++) {
      SampledToken t = sampler.sample(randomLogits(100 + step));
      assertEquals(forced, t.tokenId(), "step " + step);
      sampler.accept(t.tokenId());
    }
  }

  @Test
  void minusHundredNeverLetsATokenBeSampled() {
    // Token 7 is made the most likely one by the model, then banned: sampling never picks it.
    Sampler sampler =
        Samplers.create(new SamplingParams(1.0, 1.0, 0, 9L, 0.0, 0.0, -1, bias(7, -100f)), VOCAB);
    for (int step = 0; step < 500; step++) {
      float[] logits = randomLogits(step);
      logits[7] = 20f;
      assertNotEquals(7, sampler.sample(logits).tokenId(), "step " + step);
    }
  }

  @Test
  void theCallersRowIsLeftUntouchedAndOtherRowsAreUnaffected() {
    float[] row = randomLogits(3);
    row[11] = Float.NaN; // the sampler rewrites NaN in the row it works on: that must be its own copy
    float[] before = row.clone();
    Sampler biased = Samplers.create(greedy(bias(5, 50f), 3), VOCAB);
    biased.sample(row);
    assertArrayEquals(before, row);

    // A sampler without bias, fed the same kind of row afterwards, still sees the model's argmax.
    float[] other = randomLogits(4);
    int expected = DefaultSampler.argmax(other);
    assertEquals(expected, Samplers.create(greedy(LogitBias.NONE, -1), VOCAB).sample(other).tokenId());
    // And the biased sampler's reused buffer does not leak the previous row into the next one.
    float[] next = randomLogits(5);
    next[5] = -1000f; // +50 cannot lift it: the model's argmax wins
    assertEquals(DefaultSampler.argmax(next), biased.sample(next).tokenId());
  }

  @Test
  void logprobsAreThoseOfTheBiasedDistribution() {
    float[] logits = randomLogits(6);
    int argmax = DefaultSampler.argmax(logits);
    int weakest = argmin(logits);

    SampledToken forced = Samplers.create(greedy(bias(weakest, 100f), 5), VOCAB).sample(logits.clone());
    assertEquals(weakest, forced.tokenId());
    assertEquals(weakest, forced.topIds()[0]);
    assertTrue(forced.logprob() > -1e-3f, "a forced token is near-certain, got " + forced.logprob());

    SampledToken banned = Samplers.create(greedy(bias(argmax, -100f), 20), VOCAB).sample(logits.clone());
    SampledToken plain = Samplers.create(greedy(LogitBias.NONE, 20), VOCAB).sample(logits.clone());
    assertEquals(argmax, plain.topIds()[0]);
    for (int id : banned.topIds()) {
      assertNotEquals(argmax, id, "a banned token is not among the top alternatives");
    }
    // The unbanned mass grows: each surviving token's logprob rises by the mass the ban removed.
    assertTrue(banned.logprob() > plain.topLogprobs()[1]);
  }

  @Test
  void biasAddsExactlyItsValueToTheLogit() {
    float[] logits = new float[VOCAB]; // all equal: uniform
    SampledToken t = Samplers.create(greedy(bias(3, 2f), 2), VOCAB).sample(logits);
    double expected = 2.0 - Math.log(Math.exp(2.0) + (VOCAB - 1));
    assertEquals(3, t.tokenId());
    assertEquals(expected, t.logprob(), 1e-3);
  }

  @Test
  void biasesAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> bias(-1, 1f));
    assertThrows(IllegalArgumentException.class, () -> bias(1, 100.5f));
    assertThrows(IllegalArgumentException.class, () -> bias(1, Float.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> LogitBias.of(new int[] {4, 4}, new float[] {1f, 2f}));
    IllegalArgumentException outside =
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(greedy(bias(VOCAB, 1f), -1), VOCAB));
    assertTrue(outside.getMessage().contains("logit_bias"));
    assertEquals(LogitBias.NONE, new SamplingParams(0.0, 1.0, 0, null, 0.0, 0.0, -1, LogitBias.NONE).logitBias());
    assertEquals(LogitBias.NONE, greedy(null, -1).logitBias());
  }

  private static float[] withBanned(float[] logits, int id) {
    float[] copy = logits.clone();
    copy[id] = Float.NEGATIVE_INFINITY;
    return copy;
  }

  private static int argmin(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] < logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
