package dev.robin.engine.sampling;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.robin.engine.grammar.OutputConstraint;

/**
 * How one sequence picks its next token, as the OpenAI API describes it.
 *
 * @param temperature 0 means greedy (argmax, lowest id on ties)
 * @param topP nucleus mass in (0, 1]; 1 disables it
 * @param topK keep the K most likely tokens; 0 disables it
 * @param seed seed of the sequence's own generator; null draws one at random
 * @param presencePenalty subtracted once from the logit of every token already generated (-2..2)
 * @param frequencyPenalty subtracted per occurrence of a token already generated (-2..2)
 * @param topLogprobs number of alternatives whose log-probabilities are reported (0..20); -1 reports none at all
 * @param logitBias added to the listed tokens' logits before anything else; never null ({@link LogitBias#NONE})
 * @param constraint what the output must be (JSON Schema, JSON object, regex, choice); null for free text. Tokens
 *     the constraint does not allow next are masked out before anything else, so log-probabilities are those of
 *     the masked distribution
 * @param minP vLLM's {@code min_p}: tokens less likely than {@code minP} times the most likely one are not sampled
 *     (after penalties and temperature; log-probabilities are unaffected); 0 disables it
 * @param minTokens vLLM's {@code min_tokens}: end-of-sequence tokens are not sampled before this many tokens
 *     (unless nothing else is allowed); 0 disables it
 * @param repetitionPenalty vLLM's and Hugging Face's {@code repetition_penalty}: the logit of every token of the
 *     prompt or the output so far is divided by it when positive, multiplied when negative (before presence and
 *     frequency penalties); 1 disables it
 */
public record SamplingParams(
    double temperature,
    double topP,
    int topK,
    Long seed,
    double presencePenalty,
    double frequencyPenalty,
    int topLogprobs,
    LogitBias logitBias,
    OutputConstraint constraint,
    int minTokens,
    double minP,
    double repetitionPenalty) {

  /** Greedy decoding with nothing reported but the token. */
  public static final SamplingParams GREEDY = new SamplingParams(0.0, 1.0, 0, null, 0.0, 0.0, -1, LogitBias.NONE);

  public SamplingParams {
    if (logitBias == null) {
      logitBias = LogitBias.NONE;
    }
  }

  /** Free-text sampling: no output constraint, no min_tokens, no min_p (the with-methods add them). */
  public SamplingParams(
      double temperature, double topP, int topK, Long seed, double presencePenalty, double frequencyPenalty,
      int topLogprobs, LogitBias logitBias) {
    this(temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, logitBias, null, 0, 0.0, 1.0);
  }

  /** These parameters with {@code bias} instead of their own. */
  public SamplingParams withLogitBias(LogitBias bias) {
    return new SamplingParams(
        temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, bias, constraint, minTokens,
        minP, repetitionPenalty);
  }

  /** These parameters with {@code outputConstraint} (null: none) instead of their own. */
  public SamplingParams withConstraint(OutputConstraint outputConstraint) {
    return new SamplingParams(
        temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, logitBias, outputConstraint,
        minTokens, minP, repetitionPenalty);
  }

  /** These parameters with {@code min} as {@code min_tokens}. */
  public SamplingParams withMinTokens(int min) {
    return new SamplingParams(
        temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, logitBias, constraint, min,
        minP, repetitionPenalty);
  }

  /** These parameters with {@code p} as {@code min_p}. */
  public SamplingParams withMinP(double p) {
    return new SamplingParams(
        temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, logitBias, constraint,
        minTokens, p, repetitionPenalty);
  }

  /** These parameters with {@code penalty} as {@code repetition_penalty}. */
  public SamplingParams withRepetitionPenalty(double penalty) {
    return new SamplingParams(
        temperature, topP, topK, seed, presencePenalty, frequencyPenalty, topLogprobs, logitBias, constraint,
        minTokens, minP, penalty);
  }

  @JsonIgnore
  public boolean isGreedy() {
    return temperature == 0.0;
  }

  /** Whether log-probabilities must be computed at all. */
  @JsonIgnore
  public boolean wantsLogprobs() {
    return topLogprobs >= 0;
  }
}
