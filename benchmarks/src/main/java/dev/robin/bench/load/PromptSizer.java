package dev.robin.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Finds, for each request, the number of words whose prompt has as many tokens as asked, by asking the
 * server's tokenizer. Token counts grow with the word count (a longer prompt only appends words), so the
 * answer is the longest prompt with at most the target: exact, or one word short of it when a word spans
 * several tokens. Searching from the previous request's answer takes two or three calls, since random
 * words of one vocabulary cost about the same number of tokens.
 */
public final class PromptSizer {

  private final ToIntFunction<String> tokenCount;
  private final int targetTokens;
  private int lastWords;

  /**
   * @param tokenCount a prompt's token count as the server counts it ({@code usage.prompt_tokens})
   * @param targetTokens wanted tokens per prompt (at least 1)
   */
  public PromptSizer(ToIntFunction<String> tokenCount, int targetTokens) {
    if (targetTokens < 1) {
      throw new IllegalArgumentException("target must be at least 1 token, got " + targetTokens);
    }
    this.tokenCount = tokenCount;
    this.targetTokens = targetTokens;
    this.lastWords = targetTokens;
  }

  /**
   * The most words, at least {@code minWords}, whose prompt of request {@code index} has at most the target
   * number of tokens; {@code minWords} itself when even that prompt is longer.
   */
  public int words(PromptGenerator generator, long index, int minWords) {
    int words = Math.max(minWords, Math.min(lastWords, 8 * targetTokens));
    if (tokenCount.applyAsInt(generator.prompt(index, words)) <= targetTokens) {
      while (words < 8 * targetTokens && tokenCount.applyAsInt(generator.prompt(index, words + 1)) <= targetTokens) {
        words++;
      }
    } else {
      while (words > minWords && tokenCount.applyAsInt(generator.prompt(index, --words)) > targetTokens) {
        // shrink until it fits
      }
    }
    lastWords = words;
    return words;
  }

  /**
   * The prompts of requests {@code 0 .. count-1}, each the longest with at most {@code targetTokens} tokens.
   * With {@code sharedPrefix} they all begin with the same words, about three quarters of the target.
   */
  public static List<String> prompts(
      ToIntFunction<String> tokenCount, int targetTokens, boolean sharedPrefix, long seed, int count) {
    int shared = 0;
    if (sharedPrefix && targetTokens * 3 / 4 >= 1) {
      PromptGenerator allShared = new PromptGenerator(1, Integer.MAX_VALUE, seed);
      shared = new PromptSizer(tokenCount, targetTokens * 3 / 4).words(allShared, 0, 1);
    }
    PromptGenerator generator = new PromptGenerator(Math.max(1, shared), shared, seed);
    PromptSizer sizer = new PromptSizer(tokenCount, targetTokens);
    List<String> prompts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      prompts.add(generator.prompt(i, sizer.words(generator, i, Math.max(1, shared))));
    }
    return prompts;
  }
}
