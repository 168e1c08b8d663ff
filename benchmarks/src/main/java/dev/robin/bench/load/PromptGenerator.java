package dev.robin.bench.load;

import java.util.Random;

/**
 * Prompts of about N tokens made of random common English words (most are one token in Llama-style
 * vocabularies, so words ≈ tokens). Each request's prompt is distinct from its first word, so a prefix
 * cache cannot help, unless a shared prefix is asked for: then the first three quarters of every prompt
 * are the same words and only the rest differs.
 */
public final class PromptGenerator {

  private static final String[] WORDS = (
      "the of and to in is was he for it with as his on be at by had are but from or have an they which "
          + "one you were her all she there would their we him been has when who will more no if out so "
          + "said what up its about into than them can only other new some could time these two may then "
          + "do first any my now such like our over man me even most made after also did many before must "
          + "through back years where much your way well down should because each just those people how "
          + "too little state good very make world still own see men work long get here between both life "
          + "being under never day same another know while last might us great old year off come since "
          + "against go came right used take three small garden river window story light morning friend "
          + "house water tree happy play ball girl boy bird sun dog cat park school book green blue red")
      .split(" ");

  private final int numWords;
  private final int numSharedWords;
  private final long seed;

  /**
   * @param approxTokens wanted prompt length in tokens (at least 1)
   * @param sharedPrefix whether all prompts start with the same three quarters
   * @param seed makes runs reproducible
   */
  public PromptGenerator(int approxTokens, boolean sharedPrefix, long seed) {
    if (approxTokens < 1) {
      throw new IllegalArgumentException("prompt length must be at least 1 token, got " + approxTokens);
    }
    this.numWords = approxTokens;
    this.numSharedWords = sharedPrefix ? approxTokens * 3 / 4 : 0;
    this.seed = seed;
  }

  /** The prompt of request number {@code index} (the same index always gives the same prompt). */
  public String prompt(long index) {
    StringBuilder sb = new StringBuilder(numWords * 6);
    Random shared = new Random(seed);
    Random own = new Random(seed ^ (0x9E3779B97F4A7C15L * (index + 1)));
    for (int i = 0; i < numWords; i++) {
      Random r = i < numSharedWords ? shared : own;
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
