package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefaultSamplerTest {

  private static SamplingParams params(double temperature, double topP, int topK, Long seed) {
    return new SamplingParams(temperature, topP, topK, seed, 0.0, 0.0, -1, LogitBias.NONE);
  }

  private static float[] randomLogits(int vocab, long seed) {
    Random r = new Random(seed);
    float[] logits = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      logits[i] = (float) (r.nextGaussian() * 3.0);
    }
    return logits;
  }

  private static int[] generate(Sampler sampler, int vocab, int steps, long logitSeed) {
    int[] out = new int[steps];
    for (int s = 0; s < steps; s++) {
      SampledToken t = sampler.sample(randomLogits(vocab, logitSeed + s));
      sampler.accept(t.tokenId());
      out[s] = t.tokenId();
    }
    return out;
  }

  @Test
  void greedyPicksTheLowestIdAmongTies() {
    Sampler greedy = Samplers.create(SamplingParams.GREEDY, 6);
    assertEquals(2, greedy.sample(new float[] {0f, 1f, 5f, 3f, 5f, 5f}).tokenId());
    assertEquals(0, greedy.sample(new float[] {7f, 7f, 7f, 7f, 7f, 7f}).tokenId());
  }

  @Test
  void greedyIgnoresNanAndRejectsRowsWithoutFiniteValues() {
    Sampler greedy = Samplers.create(SamplingParams.GREEDY, 3);
    assertEquals(2, greedy.sample(new float[] {Float.NaN, -1f, 4f}).tokenId());
    assertThrows(IllegalArgumentException.class,
        () -> greedy.sample(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, Float.NaN}));
    assertThrows(IllegalArgumentException.class, () -> greedy.sample(new float[4]));
  }

  @Test
  void sameSeedGivesTheSameTokensAcrossInstances() {
    SamplingParams p = params(1.0, 0.9, 50, 1234L);
    int[] a = generate(Samplers.create(p, 1000), 1000, 200, 7);
    int[] b = generate(Samplers.create(p, 1000), 1000, 200, 7);
    assertArrayEquals(a, b);
  }

  @Test
  void differentSeedsGiveDifferentTokens() {
    int[] a = generate(Samplers.create(params(1.0, 1.0, 0, 1L), 1000), 1000, 200, 7);
    int[] b = generate(Samplers.create(params(1.0, 1.0, 0, 2L), 1000), 1000, 200, 7);
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void choicesOfOneSeededRequestDifferAndRepeat() {
    SamplingParams p = params(1.0, 1.0, 0, 77L);
    int[] first = generate(Samplers.create(p, 1000, 0), 1000, 100, 7);
    int[] second = generate(Samplers.create(p, 1000, 1), 1000, 100, 7);
    assertArrayEquals(first, generate(Samplers.create(p, 1000), 1000, 100, 7));
    assertArrayEquals(second, generate(Samplers.create(p, 1000, 1), 1000, 100, 7));
    assertFalse(Arrays.equals(first, second));
  }

  @Test
  void unseededSamplersDiffer() {
    int[] a = generate(Samplers.create(params(1.5, 1.0, 0, null), 1000), 1000, 100, 7);
    int[] b = generate(Samplers.create(params(1.5, 1.0, 0, null), 1000), 1000, 100, 7);
    assertFalse(Arrays.equals(a, b));
  }

  @Test
  void topKOfOneIsGreedy() {
    Sampler topOne = Samplers.create(params(1.3, 1.0, 1, 99L), 5000);
    Sampler greedy = Samplers.create(SamplingParams.GREEDY, 5000);
    for (int s = 0; s < 50; s++) {
      float[] logits = randomLogits(5000, s);
      assertEquals(greedy.sample(logits.clone()).tokenId(), topOne.sample(logits.clone()).tokenId());
    }
  }

  @Test
  void temperatureOneMatchesSoftmaxProbabilities() {
    float[] logits = {1.0f, 0.0f, 2.0f, -1.0f, 0.5f};
    double[] expected = softmax(logits);
    Sampler sampler = Samplers.create(params(1.0, 1.0, 0, 42L), logits.length);
    int draws = 100_000;
    long[] observed = new long[logits.length];
    for (int i = 0; i < draws; i++) {
      observed[sampler.sample(logits.clone()).tokenId()]++;
    }
    double chiSquare = 0.0;
    for (int i = 0; i < logits.length; i++) {
      double e = expected[i] * draws;
      chiSquare += (observed[i] - e) * (observed[i] - e) / e;
    }
    // 4 degrees of freedom: P(chi2 > 25) is about 5e-5.
    assertTrue(chiSquare < 25.0, "chi-square " + chiSquare + " observed " + Arrays.toString(observed));
  }

  @Test
  void topKSamplesOnlyAmongTheKBest() {
    float[] logits = {3f, 2.9f, 0f, 2.8f, -1f, 2.7f};
    Sampler sampler = Samplers.create(params(2.0, 1.0, 3, 5L), logits.length);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      seen.add(sampler.sample(logits.clone()).tokenId());
    }
    assertEquals(Set.of(0, 1, 3), seen);
  }

  @Test
  void topPExcludesTheTail() {
    // Probabilities about 0.64, 0.24, 0.09, 0.03: top_p 0.8 keeps exactly the first two.
    float[] logits = {2f, 1f, 0f, -1f};
    Sampler sampler = Samplers.create(params(1.0, 0.8, 0, 11L), logits.length);
    long[] counts = new long[logits.length];
    for (int i = 0; i < 20_000; i++) {
      counts[sampler.sample(logits.clone()).tokenId()]++;
    }
    assertEquals(0, counts[2]);
    assertEquals(0, counts[3]);
    assertTrue(counts[0] > 0 && counts[1] > 0);
    double share = counts[0] / 20_000.0; // 0.64/0.88 after renormalization
    assertEquals(0.7311, share, 0.02);
  }

  @Test
  void topPOverALargeVocabularyKeepsTheNucleus() {
    int vocab = 150_000;
    float[] logits = new float[vocab];
    Arrays.fill(logits, -20f);
    // 300 tokens hold nearly all mass; the nucleus needs more than the first guess of 64.
    for (int i = 0; i < 300; i++) {
      logits[1000 + i * 7] = 5f;
    }
    Sampler sampler = Samplers.create(params(1.0, 0.95, 0, 3L), vocab);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int id = sampler.sample(logits.clone()).tokenId();
      assertTrue(id >= 1000 && (id - 1000) % 7 == 0 && id < 1000 + 300 * 7, "tail token " + id);
      seen.add(id);
    }
    assertTrue(seen.size() > 80, "draws spread over the 300-token nucleus, saw " + seen.size());
  }

  @Test
  void penaltiesLowerRepeatedTokens() {
    SamplingParams p = new SamplingParams(0.0, 1.0, 0, null, 0.5, 0.3, 0, LogitBias.NONE);
    Sampler sampler = Samplers.create(p, 3);
    float[] logits = {1.0f, 0.9f, 0.0f};
    assertEquals(0, sampler.sample(logits.clone()).tokenId());
    sampler.accept(0);
    float[] row = logits.clone();
    assertEquals(1, sampler.sample(row).tokenId());
    assertEquals(1.0f - 0.5f - 0.3f, row[0], 1e-6f);
    sampler.accept(1);
    sampler.accept(1);
    row = logits.clone();
    sampler.sample(row);
    assertEquals(0.9f - 0.5f - 2 * 0.3f, row[1], 1e-6f);
    assertEquals(0.0f, row[2], 0f);
  }

  @Test
  void penaltiesChangeSampledSequences() {
    SamplingParams plain = new SamplingParams(0.0, 1.0, 0, null, 0.0, 0.0, -1, LogitBias.NONE);
    SamplingParams penalized = new SamplingParams(0.0, 1.0, 0, null, 2.0, 2.0, -1, LogitBias.NONE);
    float[] logits = {3f, 2f, 1f, 0f};
    Sampler a = Samplers.create(plain, 4);
    Sampler b = Samplers.create(penalized, 4);
    Set<Integer> fromA = new HashSet<>();
    Set<Integer> fromB = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      int ta = a.sample(logits.clone()).tokenId();
      a.accept(ta);
      fromA.add(ta);
      int tb = b.sample(logits.clone()).tokenId();
      b.accept(tb);
      fromB.add(tb);
    }
    assertEquals(Set.of(0), fromA);
    assertTrue(fromB.size() >= 3, "penalties spread greedy choices: " + fromB);
  }

  @Test
  void logprobsAreTheLogSoftmaxOfTheLogits() {
    float[] logits = randomLogits(3000, 17);
    double[] probs = softmax(logits);
    SamplingParams p = new SamplingParams(0.7, 0.9, 40, 8L, 0.0, 0.0, 5, LogitBias.NONE);
    SampledToken t = Samplers.create(p, logits.length).sample(logits.clone());
    assertEquals(Math.log(probs[t.tokenId()]), t.logprob(), 1e-4);
    assertEquals(5, t.topIds().length);
    double mass = 0.0;
    for (int i = 0; i < 5; i++) {
      assertEquals(Math.log(probs[t.topIds()[i]]), t.topLogprobs()[i], 1e-4);
      if (i > 0) {
        assertTrue(t.topLogprobs()[i] <= t.topLogprobs()[i - 1]);
      }
      mass += Math.exp(t.topLogprobs()[i]);
    }
    assertTrue(mass <= 1.0 + 1e-6);
    assertEquals(DefaultSampler.argmax(logits), t.topIds()[0]);
  }

  @Test
  void logprobsOnlyWhenAsked() {
    SampledToken none = Samplers.create(SamplingParams.GREEDY, 10).sample(randomLogits(10, 1));
    assertTrue(Float.isNaN(none.logprob()));
    assertEquals(0, none.topIds().length);
    SamplingParams zero = new SamplingParams(0.0, 1.0, 0, null, 0.0, 0.0, 0, LogitBias.NONE);
    SampledToken chosenOnly = Samplers.create(zero, 10).sample(randomLogits(10, 1));
    assertFalse(Float.isNaN(chosenOnly.logprob()));
    assertEquals(0, chosenOnly.topIds().length);
  }

  @Test
  void topSelectionPrefersLowIdsInTiesAndMatchesAFullSort() {
    float[] values = {1f, 3f, 3f, 2f, 3f, 0f};
    assertArrayEquals(new int[] {1, 2}, TopSelection.topIndices(values, 2));
    assertArrayEquals(new int[] {1, 2, 4, 3, 0, 5}, TopSelection.topIndices(values, 10));
    float[] big = randomLogits(20_000, 3);
    Integer[] order = new Integer[big.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> big[x] != big[y] ? Float.compare(big[y], big[x]) : Integer.compare(x, y));
    int[] top = TopSelection.topIndices(big, 100);
    for (int i = 0; i < 100; i++) {
      assertEquals(order[i], top[i]);
    }
  }

  @Test
  void invalidParametersAreRejectedWithTheirName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(params(-0.1, 1.0, 0, null), 10));
    assertTrue(e.getMessage().contains("temperature"));
    e = assertThrows(IllegalArgumentException.class, () -> Samplers.create(params(1.0, 0.0, 0, null), 10));
    assertTrue(e.getMessage().contains("top_p"));
    e = assertThrows(IllegalArgumentException.class, () -> Samplers.create(params(1.0, 1.0, -2, null), 10));
    assertTrue(e.getMessage().contains("top_k"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(new SamplingParams(1.0, 1.0, 0, null, 2.5, 0.0, -1, LogitBias.NONE), 10));
    assertTrue(e.getMessage().contains("presence_penalty"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Samplers.create(new SamplingParams(1.0, 1.0, 0, null, 0.0, 0.0, 21, LogitBias.NONE), 10));
    assertTrue(e.getMessage().contains("top_logprobs"));
    Sampler s = Samplers.create(SamplingParams.GREEDY, 10);
    assertThrows(IllegalArgumentException.class, () -> s.accept(10));
  }

  private static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0.0;
    double[] p = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
