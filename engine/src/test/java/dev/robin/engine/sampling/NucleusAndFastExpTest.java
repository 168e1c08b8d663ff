package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NucleusAndFastExpTest {

  @Test
  void fastExpIsAccurateWhereItMatters() {
    double worst = 0.0;
    for (float x = -80f; x <= 0f; x += 0.0007f) {
      double exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(FastExp.exp(x) - exact) / exact);
    }
    assertTrue(worst < 5e-6, "relative error " + worst);
    assertEquals(1f, FastExp.exp(0f), 1e-7f);
    assertEquals(0f, FastExp.exp(-81f), 0f);
    assertEquals(0f, FastExp.exp(Float.NEGATIVE_INFINITY), 0f);
  }

  @Test
  void nucleusCandidatesStartWithTheExactNucleusInOrder() {
    Random random = new Random(4);
    for (int round = 0; round < 50; round++) {
      int vocab = 1 + random.nextInt(5000);
      float[] logits = new float[vocab];
      for (int i = 0; i < vocab; i++) {
        logits[i] = (float) (random.nextGaussian() * (1 + round % 7)) + (random.nextInt(10) == 0 ? 0f : -3f);
        if (random.nextInt(50) == 0) {
          logits[i] = logits[Math.max(0, i - 1)]; // ties
        }
      }
      float max = Float.NEGATIVE_INFINITY;
      for (float v : logits) {
        max = Math.max(max, v);
      }
      double temperature = 0.3 + random.nextDouble() * 1.5;
      float[] weights = new float[vocab];
      double total = 0.0;
      for (int i = 0; i < vocab; i++) {
        weights[i] = FastExp.exp((float) ((logits[i] - max) / temperature));
        total += weights[i];
      }
      double topP = 0.05 + random.nextDouble() * 0.9;
      int[] candidates = Nucleus.candidates(weights, topP * total);

      Integer[] order = new Integer[vocab];
      for (int i = 0; i < vocab; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> weights[a] != weights[b] ? Float.compare(weights[b], weights[a]) : Integer.compare(a, b));
      double cumulative = 0.0;
      int nucleus = 0;
      while (cumulative < topP * total) {
        cumulative += weights[order[nucleus++]];
      }
      assertTrue(candidates.length >= nucleus, "candidates cover the nucleus");
      for (int i = 0; i < candidates.length; i++) {
        assertEquals(order[i], candidates[i], "position " + i + " of round " + round);
      }
    }
  }
}
