package dev.robin.engine.sampling;

import dev.robin.engine.grammar.CompiledGrammar;
import dev.robin.engine.grammar.GrammarCache;
import dev.robin.engine.grammar.GrammarException;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Creates the {@link Sampler} of one sequence, after checking its parameters. */
public final class Samplers {

  /** Most alternatives a client may ask log-probabilities for (OpenAI's limit). */
  public static final int MAX_TOP_LOGPROBS = 20;

  /** Largest {@code repetition_penalty}: beyond it every seen token is simply banned. */
  public static final double MAX_REPETITION_PENALTY = 10.0;

  private Samplers() {}

  /**
   * A sampler for one sequence over a vocabulary of {@code vocabSize} logits. Without a seed in
   * {@code params} it draws one at random, so only seeded sequences are reproducible.
   *
   * @throws IllegalArgumentException naming the parameter when one is out of range
   */
  public static Sampler create(SamplingParams params, int vocabSize) {
    return create(params, vocabSize, 0);
  }

  /**
   * The sampler of choice {@code choiceIndex} of a request asking for several ({@code n > 1}): a seeded
   * request gives each choice its own reproducible generator (choice 0 is the one {@link #create(
   * SamplingParams, int)} makes), so the choices differ yet the same request repeats them.
   */
  public static Sampler create(SamplingParams params, int vocabSize, int choiceIndex) {
    return create(params, vocabSize, choiceIndex, null, Set.of(), new ConstraintMeter());
  }

  /**
   * A sampler for one sequence of a model whose output constraints compile through {@code grammars} (null: the
   * model cannot constrain its output, and a constrained request is refused).
   */
  public static Sampler create(SamplingParams params, int vocabSize, GrammarCache grammars) {
    return create(params, vocabSize, 0, grammars, Set.of(), new ConstraintMeter());
  }

  /** As above, for a model whose sequences end at {@code eosIds} ({@code min_tokens} holds them back). */
  public static Sampler create(SamplingParams params, int vocabSize, GrammarCache grammars, Set<Integer> eosIds) {
    return create(params, vocabSize, 0, grammars, eosIds, new ConstraintMeter());
  }

  /**
   * As above, for an engine whose constraints' costs (grammar lookups, mask time per step) {@code meter} counts.
   */
  public static Sampler create(
      SamplingParams params, int vocabSize, GrammarCache grammars, Set<Integer> eosIds, ConstraintMeter meter) {
    return create(params, vocabSize, 0, grammars, eosIds, meter);
  }

  private static Sampler create(SamplingParams params, int vocabSize, int choiceIndex, GrammarCache grammars,
      Set<Integer> eosIds, ConstraintMeter meter) {
    validate(params, vocabSize);
    if (choiceIndex < 0) {
      throw new IllegalArgumentException("choice index must not be negative, got " + choiceIndex);
    }
    long seed = params.seed() != null
        ? params.seed() + choiceIndex * 0x9E3779B97F4A7C15L // golden-ratio step: distinct, well-spread seeds
        : ThreadLocalRandom.current().nextLong();
    Sampler sampler = new DefaultSampler(params, vocabSize, seed);
    if (params.minTokens() > 0 && !eosIds.isEmpty()) {
      sampler = new MinTokensSampler(sampler, params.minTokens(), eosIds.stream().mapToInt(Integer::intValue).toArray());
    }
    OutputConstraint constraint = params.constraint();
    if (constraint == null) {
      return sampler;
    }
    if (grammars == null) {
      throw new IllegalArgumentException("this model cannot constrain its output (it has no token vocabulary)");
    }
    CompiledGrammar grammar;
    try {
      grammar = constraint.compile(grammars, meter);
    } catch (GrammarException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new ConstrainedSampler(sampler, grammar.newMatcher(), grammar.vocabulary().stopIds(), meter);
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
    double repetition = params.repetitionPenalty();
    if (!(repetition > 0.0 && repetition <= MAX_REPETITION_PENALTY)) {
      throw new IllegalArgumentException(
          "repetition_penalty must be above 0 and at most " + MAX_REPETITION_PENALTY + ", got " + repetition);
    }
    double minP = params.minP();
    if (!(minP >= 0.0 && minP <= 1.0)) {
      throw new IllegalArgumentException("min_p must be between 0 and 1, got " + minP);
    }
    if (params.minTokens() < 0) {
      throw new IllegalArgumentException("min_tokens must not be negative, got " + params.minTokens());
    }
    int maxBiased = params.logitBias().maxTokenId();
    if (maxBiased >= vocabSize) {
      throw new IllegalArgumentException(
          "logit_bias token " + maxBiased + " is outside the vocabulary of " + vocabSize);
    }
  }

  private static void checkPenalty(String name, double value) {
    if (!(value >= -2.0 && value <= 2.0)) {
      throw new IllegalArgumentException(name + " must be between -2 and 2, got " + value);
    }
  }
}
