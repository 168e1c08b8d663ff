package dev.robin.engine.sampling;

import java.util.concurrent.ThreadLocalRandom;

/** Creates the {@link Sampler} of one sequence, after checking its parameters. */
public final class Samplers {

  /** Most alternatives a client may ask log-probabilities for (OpenAI's limit). */
  public static final int MAX_TOP_LOGPROBS = 20;

  private Samplers() {}

  /**
   * A sampler for one sequence over a vocabulary of {@code vocabSize} logits. Without a seed in
   * {@code params} it draws one at random, so only seeded sequences are reproducible.
   *
   * @throws IllegalArgumentException naming the parameter when one is out of range
   */
  public static Sampler create(SamplingParams params, int vocabSize) {
    validate(params, vocabSize);
    long seed = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
    return new DefaultSampler(params, vocabSize, seed);
  }

  /** Checks {@code params} against OpenAI's ranges; the message is fit for a client. */
  public static void validate(SamplingParams params, int vocabSize) {
    if (params == null) {
      throw new IllegalArgumentException("sampling parameters are missing");
    }
    if (vocabSize <= 0) {
      throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
    }
    double t = params.temperature();
    if (!(t >= 0.0) || Double.isInfinite(t) || t > 2.0) {
      throw new IllegalArgumentException("temperature must be between 0 and 2, got " + t);
    }
    double p = params.topP();
    if (!(p > 0.0 && p <= 1.0)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + p);
    }
    if (params.topK() < 0) {
      throw new IllegalArgumentException("top_k must be 0 (off) or positive, got " + params.topK());
    }
    checkPenalty("presence_penalty", params.presencePenalty());
    checkPenalty("frequency_penalty", params.frequencyPenalty());
    int n = params.topLogprobs();
    if (n < -1 || n > MAX_TOP_LOGPROBS) {
      throw new IllegalArgumentException(
          "top_logprobs must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + n);
    }
  }

  private static void checkPenalty(String name, double value) {
    if (!(value >= -2.0 && value <= 2.0)) {
      throw new IllegalArgumentException(name + " must be between -2 and 2, got " + value);
    }
  }
}
