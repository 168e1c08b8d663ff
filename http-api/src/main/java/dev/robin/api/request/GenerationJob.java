package dev.robin.api.request;

import dev.robin.api.guard.Caller;
import dev.robin.api.model.ServedModel;
import dev.robin.api.openai.GenerationOptions;
import dev.robin.api.openai.ResponseKind;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a {@link CompletionRequestActor} needs, prepared by the route: the validated options, the prompts
 * already rendered and tokenized, and from them one {@link GenerationRequest} per choice.
 *
 * @param id the response id ({@code chatcmpl-…} or {@code cmpl-…}); each choice's request id derives from it
 * @param maxTokens tokens each choice may generate: the client's {@code max_tokens} or the server's default (the
 *     end of the model's context may stop a choice sooner)
 * @param topLogprobs alternatives per token; -1 means no log-probabilities at all
 * @param toolCalling how choices are read for tool calls; null when the request gives no tools to the model
 */
public record GenerationJob(
    String id,
    ResponseKind kind,
    ServedModel model,
    List<Prompt> prompts,
    GenerationOptions options,
    int maxTokens,
    int topLogprobs,
    boolean echo,
    long created,
    Caller caller,
    String systemFingerprint,
    ToolCalling toolCalling) {

  /**
   * A tokenized prompt.
   *
   * @param echoText the prompt as text, prepended to each of its choices when {@code echo}
   */
  public record Prompt(int[] ids, String echoText) {}

  /** A choice: which prompt it continues, and the model's request for it. */
  public record Choice(int index, int promptIndex, GenerationRequest request) {}

  /**
   * Every choice, in the order of the response: the {@code n} choices of the first prompt, then of the next.
   * Each gets its own seed derived from the request's, so choices differ but a seeded request repeats.
   */
  public List<Choice> choices() {
    int n = options.n();
    List<Choice> choices = new ArrayList<>(prompts.size() * n);
    for (int p = 0; p < prompts.size(); p++) {
      for (int i = 0; i < n; i++) {
        int index = p * n + i;
        GenerationRequest request = new GenerationRequest(
            id + "-" + index, prompts.get(p).ids(), samplingFor(index), maxTokens, options.ignoreEos());
        choices.add(new Choice(index, p, request));
      }
    }
    return choices;
  }

  private SamplingParams samplingFor(int index) {
    GenerationOptions o = options;
    Long seed = o.seed() == null ? null : o.seed() + index;
    return new SamplingParams(
        o.temperature(), o.topP(), o.topK(), seed, o.presencePenalty(), o.frequencyPenalty(), topLogprobs,
        o.logitBias(), o.constraint(), o.minTokens(), o.minP(), o.repetitionPenalty());
  }
}
