package dev.robin.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The prompts of a run, sized once with the benchmarked server's tokenizer.
 *
 * @param prompts request number → prompt
 * @param sizing {@code tokenize}: each prompt is the longest with at most the asked tokens as the server counts
 *     them; {@code words}: the server could not count, one word per token was assumed
 */
public record SizedPrompts(List<String> prompts, String sizing) {

  /**
   * {@code count} prompts of at most {@code promptTokens} tokens, counted by {@code POST /v1/tokenize} of the
   * server at {@code apiBase}; one word per token (with a warning on stderr) when it cannot count.
   *
   * @param label prefix of the progress lines on stderr, e.g. {@code bench}
   */
  public static SizedPrompts size(
      HttpClient http, URI apiBase, Map<String, String> headers, String model, int promptTokens,
      boolean sharedPrefix, long seed, int count, String label) {
    try {
      System.err.printf("%s: sizing %d prompts to %d tokens with the server's tokenizer%n", label, count, promptTokens);
      return new SizedPrompts(
          List.copyOf(PromptSizer.prompts(
              new TokenCounter(http, apiBase, headers, model), promptTokens, sharedPrefix, seed, count)),
          "tokenize");
    } catch (IllegalStateException e) {
      System.err.println(label + ": cannot count tokens (" + e.getMessage() + "); prompts get one word per token instead");
      PromptGenerator words = new PromptGenerator(promptTokens, sharedPrefix, seed);
      List<String> prompts = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        prompts.add(words.prompt(i));
      }
      return new SizedPrompts(List.copyOf(prompts), "words");
    }
  }

  /** A load generator sending these prompts in order as streamed completions through {@code client}. */
  public LoadGenerator generator(CompletionClient client, String model, int maxTokens, boolean ignoreEos) {
    return new LoadGenerator(
        client::send, i -> CompletionRequestBody.of(model, prompts.get((int) i), maxTokens, ignoreEos));
  }
}
