package dev.robin.engine.request;

import dev.robin.engine.sampling.SamplingParams;
import java.util.Objects;

/**
 * A request to generate: the one name it has from the HTTP route to the scheduler. Its shape is checked here;
 * whether it fits the model (prompt length, queue, sampling) is decided where those rules live, by the
 * scheduler and the sampler factory, which answer with a {@link Rejection}.
 *
 * @param id unique among the requests a model replica is generating (one choice of a client's request)
 * @param promptIds prompt token ids
 * @param sampling how to pick each token
 * @param maxTokens most tokens to generate; the end of the model's context may stop it sooner
 * @param ignoreEos vLLM's {@code ignore_eos}: an end-of-sequence token does not finish the sequence, only
 *     {@code maxTokens} or the end of the context does (benchmarks that need exactly N tokens)
 */
public record GenerationRequest(
    String id, int[] promptIds, SamplingParams sampling, int maxTokens, boolean ignoreEos) {

  public GenerationRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(promptIds, "promptIds");
    Objects.requireNonNull(sampling, "sampling");
    if (id.isBlank()) {
      throw new IllegalArgumentException("the request id is blank");
    }
  }

  /** A request that stops at an end-of-sequence token. */
  public static GenerationRequest of(String id, int[] promptIds, SamplingParams sampling, int maxTokens) {
    return new GenerationRequest(id, promptIds, sampling, maxTokens, false);
  }
}
