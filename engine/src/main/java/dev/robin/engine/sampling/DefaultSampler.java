package dev.robin.engine.sampling;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sampler of one sequence: penalties, then (when asked) log-probabilities, then greedy choice or
 * temperature, top-k and top-p sampling from its own seeded generator. Not thread-safe: a sequence is
 * stepped by one thread at a time.
 *
 * <p>Log-probabilities are the log-softmax of the logits after presence/frequency penalties and before
 * temperature, top-k and top-p: the model's own distribution as the penalties reshape it, which is what
 * OpenAI reports (a greedy request still gets meaningful values, and top-k never produces -infinity).
 *
 * <p>Cost per token: O(V) passes over the logits; top-k uses partial selection (O(V log k)); top-p without
 * top-k widens a partial selection (64, 256, …) until it holds the nucleus instead of sorting all of V.
 */
public final class DefaultSampler implements Sampler {

  private static final int FIRST_NUCLEUS_GUESS = 64;

  private final SamplingParams params;
  private final int vocabSize;
  private final SplittableRandom random;
  private final boolean penalized;
  /** Occurrences of each generated token; sparse because a sequence uses few of V ids. */
  private final Map<Integer, int[]> counts = new HashMap<>();

  DefaultSampler(SamplingParams params, int vocabSize, long seed) {
    this.params = params;
    this.vocabSize = vocabSize;
    this.random = new SplittableRandom(seed);
    this.penalized = params.presencePenalty() != 0.0 || params.frequencyPenalty() != 0.0;
  }

  @Override
  public SampledToken sample(float[] logits) {
    if (logits == null || logits.length != vocabSize) {
      throw new IllegalArgumentException(
          "expected " + vocabSize + " logits, got " + (logits == null ? "none" : logits.length));
    }
    float max = sanitize(logits);
    if (penalized && !counts.isEmpty()) {
      applyPenalties(logits);
      max = maxOf(logits);
    }
    int chosen = choose(logits, max);
    if (!params.wantsLogprobs()) {
      return SampledToken.of(chosen);
    }
    return withLogprobs(chosen, logits, max);
  }

  @Override
  public void accept(int tokenId) {
    if (tokenId < 0 || tokenId >= vocabSize) {
      throw new IllegalArgumentException("token " + tokenId + " is outside the vocabulary of " + vocabSize);
    }
    if (penalized) {
      counts.computeIfAbsent(tokenId, k -> new int[1])[0]++;
    }
  }

  /** NaN becomes -infinity (never chosen); returns the maximum, failing when no logit is finite. */
  private static float sanitize(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < logits.length; i++) {
      float v = logits[i];
      if (Float.isNaN(v)) {
        logits[i] = Float.NEGATIVE_INFINITY;
      } else if (v > max) {
        max = v;
      }
    }
    if (max == Float.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException("logits hold no finite value to choose from");
    }
    return max;
  }

  private static float maxOf(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    return max;
  }

  /** OpenAI's definition: logit -= (count > 0 ? presence : 0) + count * frequency. */
  private void applyPenalties(float[] logits) {
    double presence = params.presencePenalty();
    double frequency = params.frequencyPenalty();
    for (Map.Entry<Integer, int[]> e : counts.entrySet()) {
      int count = e.getValue()[0];
      int id = e.getKey();
      logits[id] = (float) (logits[id] - (presence + count * frequency));
    }
  }

  private int choose(float[] logits, float max) {
    if (params.isGreedy() || params.topK() == 1) {
      return argmax(logits);
    }
    double temperature = params.temperature();
    int topK = params.topK();
    if (topK > 0 && topK < vocabSize) {
      return sampleFrom(TopSelection.topIndices(logits, topK), logits, max, temperature, 0.0);
    }
    if (params.topP() < 1.0) {
      return sampleNucleusOfWholeVocabulary(logits, max, temperature);
    }
    return sampleWholeVocabulary(logits, max, temperature);
  }

  /** Lowest id among the maxima: strict comparison keeps the first one. */
  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private int sampleWholeVocabulary(float[] logits, float max, double temperature) {
    double total = 0.0;
    for (float v : logits) {
      total += Math.exp((v - max) / temperature);
    }
    double target = random.nextDouble() * total;
    double cumulative = 0.0;
    int lastPossible = 0;
    for (int i = 0; i < logits.length; i++) {
      double w = Math.exp((logits[i] - max) / temperature);
      if (w > 0.0) {
        cumulative += w;
        lastPossible = i;
        if (cumulative > target) {
          return i;
        }
      }
    }
    return lastPossible; // rounding left the target just past the end
  }

  /** Top-p over the whole vocabulary: widen a partial selection until it holds the nucleus. */
  private int sampleNucleusOfWholeVocabulary(float[] logits, float max, double temperature) {
    double total = 0.0;
    for (float v : logits) {
      total += Math.exp((v - max) / temperature);
    }
    double needed = params.topP() * total;
    int n = Math.min(FIRST_NUCLEUS_GUESS, vocabSize);
    while (true) {
      int[] best = TopSelection.topIndices(logits, n);
      double mass = 0.0;
      for (int id : best) {
        mass += Math.exp((logits[id] - max) / temperature);
      }
      if (mass >= needed || n == vocabSize) {
        return sampleFrom(best, logits, max, temperature, total);
      }
      n = (int) Math.min((long) n * 4, vocabSize);
    }
  }

  /**
   * Samples among {@code candidates} (most likely first) after top-p: keeps the shortest prefix whose
   * mass reaches top_p of {@code nucleusBase}, the total weight of the distribution being cut (the whole
   * vocabulary's, or 0 to mean the candidates' own, i.e. renormalized after top-k).
   */
  private int sampleFrom(int[] candidates, float[] logits, float max, double temperature, double nucleusBase) {
    double[] weights = new double[candidates.length];
    double total = 0.0;
    for (int i = 0; i < candidates.length; i++) {
      weights[i] = Math.exp((logits[candidates[i]] - max) / temperature);
      total += weights[i];
    }
    int kept = candidates.length;
    double keptMass = total;
    if (params.topP() < 1.0) {
      double needed = params.topP() * (nucleusBase > 0.0 ? nucleusBase : total);
      double cumulative = 0.0;
      for (int i = 0; i < candidates.length; i++) {
        cumulative += weights[i];
        if (cumulative >= needed) {
          kept = i + 1;
          keptMass = cumulative;
          break;
        }
      }
    }
    double target = random.nextDouble() * keptMass;
    double cumulative = 0.0;
    for (int i = 0; i < kept; i++) {
      cumulative += weights[i];
      if (cumulative > target) {
        return candidates[i];
      }
    }
    return candidates[kept - 1];
  }

  private SampledToken withLogprobs(int chosen, float[] logits, float max) {
    double sum = 0.0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    double logZ = max + Math.log(sum);
    float chosenLogprob = (float) (logits[chosen] - logZ);
    int[] topIds = TopSelection.topIndices(logits, params.topLogprobs());
    float[] topLogprobs = new float[topIds.length];
    for (int i = 0; i < topIds.length; i++) {
      topLogprobs[i] = (float) (logits[topIds[i]] - logZ);
    }
    return new SampledToken(chosen, chosenLogprob, topIds, topLogprobs);
  }
}
