package dev.robin.api.request;

import dev.robin.api.openai.ResponseKind;
import dev.robin.api.guard.Caller;
import dev.robin.api.model.ServedModel;
import dev.robin.api.openai.GenerationOptions;
import dev.robin.engine.sampling.SamplingParams;
import java.util.List;

/**
 * Everything a {@link CompletionRequestActor} needs, prepared by the route: the validated options and the
 * prompts already rendered and tokenized.
 *
 * @param id the response id ({@code chatcmpl-…} or {@code cmpl-…}); also the request id
 * @param topLogprobs alternatives per token; -1 means no log-probabilities at all
 */
public record GenerationJob(
    String id,
    ResponseKind kind,
    ServedModel model,
    List<PreparedPrompt> prompts,
    GenerationOptions options,
    int topLogprobs,
    boolean echo,
    long created,
    Caller caller,
    String systemFingerprint) {

  /**
   * A tokenized prompt.
   *
   * @param maxTokens completion tokens allowed: the requested (or default) count, clipped to the context
   * @param echoText the prompt as text, prepended to each choice when {@code echo}
   */
  public record PreparedPrompt(int[] ids, int maxTokens, String echoText) {}

  public int numChoices() {
    return prompts.size() * options.n();
  }

  /** Choice {@code index}'s sampling; each choice gets its own seed derived from the request's. */
  public SamplingParams samplingFor(int index) {
    GenerationOptions o = options;
    Long seed = o.seed() == null ? null : o.seed() + index;
    return new SamplingParams(
        o.temperature(), o.topP(), o.topK(), seed, o.presencePenalty(), o.frequencyPenalty(), topLogprobs,
        o.logitBias());
  }
}
