package dev.robin.engine.sampling;

/**
 * A token chosen by a {@link Sampler}, with its log-probability under the model's distribution (before
 * temperature, top-k and top-p, as OpenAI reports it) and the most likely alternatives when asked.
 *
 * @param tokenId the chosen token
 * @param logprob its log-probability; NaN when not requested
 * @param topIds ids of the most likely tokens, most likely first; empty when not requested
 * @param topLogprobs their log-probabilities, parallel to {@code topIds}
 */
public record SampledToken(int tokenId, float logprob, int[] topIds, float[] topLogprobs) {

  public static SampledToken of(int tokenId) {
    return new SampledToken(tokenId, Float.NaN, new int[0], new float[0]);
  }
}
