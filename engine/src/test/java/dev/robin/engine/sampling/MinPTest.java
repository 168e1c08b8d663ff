package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** vLLM's min_p: tokens less likely than min_p times the most likely one are never sampled. */
class MinPTest {

  /** Token 0 most likely; token 1 at 0.05 of it; token 2 at 0.5 of it; token 3 negligible. */
  private static float[] logits() {
    return new float[] {0f, (float) Math.log(0.05), (float) Math.log(0.5), -30f};
  }

  private static int[] counts(double minP, int topK) {
    SamplingParams params = new SamplingParams(1.0, 1.0, topK, 11L, 0, 0, -1, LogitBias.NONE).withMinP(minP);
    Sampler sampler = Samplers.create(params, 4);
    int[] counts = new int[4];
    for (int i = 0; i < 4000; i++) {
      counts[sampler.sample(logits()).tokenId()]++;
    }
    return counts;
  }

  @Test
  void unlikelyTokensAreCutAndTheRestKeepTheirShares() {
    int[] without = counts(0.0, 0);
    assertTrue(without[1] > 50, "token 1 is sampled now and then without min_p: " + without[1]);
    int[] with = counts(0.1, 0);
    assertEquals(0, with[1], "below 0.1 of the most likely: never");
    assertTrue(with[2] > 1000 && with[0] > 2000, "the others keep their 2:1 shares: " + with[0] + " " + with[2]);
    assertTrue(counts(0.0, 3)[1] > 50, "top-3 alone keeps token 1");
    assertEquals(0, counts(0.1, 3)[1], "min_p cuts it inside the top-k too");
  }

  @Test
  void outOfRangeIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(SamplingParams.GREEDY.withMinP(1.5), 4));
  }
}
