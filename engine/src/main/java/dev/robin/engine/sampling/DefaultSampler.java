package dev.robin.engine.sampling;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sampler of one sequence: logit bias, then penalties, then (when asked) log-probabilities, then greedy choice or
 * temperature, top-k and top-p sampling from its own seeded generator. Not thread-safe: a sequence is
 * stepped by one thread at a time.
 *
 * <p>{@code logit_bias} is added first, to a copy of the row (the caller's array is left as it was), and
 * penalties follow on that copy, as vLLM orders its logits processors (bias) before its penalties; both are
 * additive, so the order only matters for readability. Log-probabilities are therefore computed from the
 * biased logits, the distribution actually sampled from: a banned token reports about -100 below the rest
 * rather than the model's own value. vLLM reports raw (unbiased) logprobs by default, but OpenAI's
 * documentation says the bias is applied to the logits before sampling, and reporting the distribution that
 * produced the token keeps the chosen token's logprob consistent with the choice (a forced token is ~0).
 *
 * <p>Log-probabilities are the log-softmax of the logits after bias and presence/frequency penalties and before
 * temperature, top-k and top-p: the model's own distribution as the penalties reshape it, which is what
 * OpenAI reports (a greedy request still gets meaningful values, and top-k never produces -infinity).
 *
 * <p>Cost per token: O(V) passes over the logits; top-k uses partial selection (O(V log k)); top-p without
 * top-k buckets tokens by weight and sorts only about the nucleus ({@link Nucleus}), never all of V.
 */
public final class DefaultSampler implements Sampler {

  private final SamplingParams params;
  private final int vocabSize;
  private final SplittableRandom random;
  private final boolean penalized;
  private final LogitBias bias;
  /** The biased copy of the row, allocated on first use and reused. */
  private float[] biased;
  /** Occurrences of each generated token; sparse because a sequence uses few of V ids. */
  private final Map<Integer, int[]> counts = new HashMap<>();
  /** Tokens of the prompt and the output, for repetition_penalty (null when it is off). */
  private final BitSet seen;
  /** Per-id sampling weights, allocated on first use and reused: no 600 KB garbage per token. */
  private float[] scratch;
  private double weightTotal;
  /** Results of the last {@link #scan}. */
  private float max;
  private int argmax;

  DefaultSampler(SamplingParams params, int vocabSize, long seed) {
    this.params = params;
    this.vocabSize = vocabSize;
    this.random = new SplittableRandom(seed);
    this.penalized = params.presencePenalty() != 0.0 || params.frequencyPenalty() != 0.0;
    this.seen = params.repetitionPenalty() != 1.0 ? new BitSet(vocabSize) : null;
    this.bias = params.logitBias();
  }

  @Override
  public SampledToken sample(float[] logits) {
    if (logits == null || logits.length != vocabSize) {
      throw new IllegalArgumentException(
          "expected " + vocabSize + " logits, got " + (logits == null ? "none" : logits.length));
    }
    if (!bias.isEmpty()) {
      logits = biasedCopy(logits);
    }
    if (seen != null && !seen.isEmpty()) {
      applyRepetitionPenalty(logits);
    }
    scan(logits);
    if (penalized && !counts.isEmpty()) {
      applyPenalties(logits);
      scan(logits);
    }
    float max = this.max;
    int chosen = choose(logits, max);
    if (!params.wantsLogprobs()) {
      return SampledToken.of(chosen);
    }
    return withLogprobs(chosen, logits, max);
  }

  /** The row plus the bias, in this sampler's own buffer: the caller's row may be shared or reused. */
  private float[] biasedCopy(float[] logits) {
    if (biased == null) {
      biased = new float[vocabSize];
    }
    System.arraycopy(logits, 0, biased, 0, vocabSize);
    bias.addTo(biased);
    return biased;
  }

  @Override
  public void accept(int tokenId) {
    if (tokenId < 0 || tokenId >= vocabSize) {
      throw new IllegalArgumentException("token " + tokenId + " is outside the vocabulary of " + vocabSize);
    }
    if (penalized) {
      counts.computeIfAbsent(tokenId, k -> new int[1])[0]++;
    }
    if (seen != null) {
      seen.set(tokenId);
    }
  }

  @Override
  public void prompt(int[] promptIds) {
    if (seen != null) {
      for (int id : promptIds) {
        if (id >= 0 && id < vocabSize) {
          seen.set(id);
        }
      }
    }
  }

  /** Hugging Face's and vLLM's rule: a seen token's positive logit is divided by the penalty, a negative one multiplied. */
  private void applyRepetitionPenalty(float[] logits) {
    float penalty = (float) params.repetitionPenalty();
    for (int id = seen.nextSetBit(0); id >= 0; id = seen.nextSetBit(id + 1)) {
      float v = logits[id];
      logits[id] = v > 0 ? v / penalty : v * penalty;
    }
  }

  /**
   * One pass: NaN becomes -infinity (never chosen), and {@link #max} and {@link #argmax} (lowest id among
   * the maxima) are found; fails when no logit is finite.
   */
  private void scan(float[] logits) {
    float best = Float.NEGATIVE_INFINITY;
    int bestId = -1;
    for (int i = 0; i < logits.length; i++) {
      float v = logits[i];
      if (v > best) {
        best = v;
        bestId = i;
      } else if (v != v) { // NaN
        logits[i] = Float.NEGATIVE_INFINITY;
      }
    }
    if (bestId < 0 || best == Float.POSITIVE_INFINITY) {
      throw new IllegalArgumentException("logits hold no finite maximum to choose from");
    }
    max = best;
    argmax = bestId;
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
      return argmax;
    }
    double temperature = params.temperature();
    int topK = params.topK();
    if (topK > 0 && topK < vocabSize) {
      int[] best = TopSelection.topIndices(logits, topK);
      double[] w = new double[best.length];
      double total = 0.0;
      for (int i = 0; i < best.length; i++) {
        w[i] = Math.exp((logits[best[i]] - max) / temperature);
        w[i] = w[i] < params.minP() ? 0.0 : w[i]; // weights are relative to the most likely token's 1
        total += w[i];
      }
      return pick(best, w, total); // top-p on the renormalized top-k, as Hugging Face and vLLM do
    }
    float[] weights = weights(logits, max, temperature);
    double total = weightTotal;
    if (params.topP() < 1.0) {
      int[] nucleus = Nucleus.candidates(weights, params.topP() * total);
      double[] w = new double[nucleus.length];
      for (int i = 0; i < nucleus.length; i++) {
        w[i] = weights[nucleus[i]];
      }
      return pick(nucleus, w, total);
    }
    double target = random.nextDouble() * total;
    double cumulative = 0.0;
    int lastPossible = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] > 0f) {
        cumulative += weights[i];
        lastPossible = i;
        if (cumulative > target) {
          return i;
        }
      }
    }
    return lastPossible; // rounding left the target just past the end
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

  /**
   * {@code exp((logit - max) / temperature)} per id, in a buffer reused across steps; their sum goes to
   * {@link #weightTotal}.
   */
  private float[] weights(float[] logits, float max, double temperature) {
    if (scratch == null) {
      scratch = new float[vocabSize];
    }
    float inverse = (float) (1.0 / temperature);
    float minP = (float) params.minP();
    double total = 0.0;
    for (int i = 0; i < logits.length; i++) {
      float w = FastExp.exp((logits[i] - max) * inverse);
      w = w < minP ? 0f : w; // relative to the most likely token's weight of 1: vLLM's min_p
      scratch[i] = w;
      total += w;
    }
    weightTotal = total;
    return scratch;
  }

  /**
   * Samples among {@code candidates} (most likely first, weights {@code w}) after top-p: keeps the
   * shortest prefix whose weight reaches top_p of {@code total}, the mass of the distribution being cut.
   */
  private int pick(int[] candidates, double[] w, double total) {
    int kept = candidates.length;
    double keptMass = 0.0;
    for (double x : w) {
      keptMass += x;
    }
    if (params.topP() < 1.0) {
      double needed = params.topP() * total;
      double cumulative = 0.0;
      for (int i = 0; i < candidates.length; i++) {
        cumulative += w[i];
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
      cumulative += w[i];
      if (cumulative > target) {
        return candidates[i];
      }
    }
    return candidates[kept - 1];
  }

  private SampledToken withLogprobs(int chosen, float[] logits, float max) {
    double sum = 0.0;
    for (float v : logits) {
      sum += FastExp.exp(v - max);
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
