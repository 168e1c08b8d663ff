package dev.robin.bench.load;

import java.util.Random;

/**
 * Prompts made of random common English words. Each request's prompt is distinct from its first word, so a
 * prefix cache cannot help, unless a shared prefix is asked for: then the first words of every prompt are
 * the same and only the rest differs. A prompt of {@code n} words is the first {@code n} words of the same
 * request's longer prompts, so its token count grows with {@code n} and {@link PromptSizer} can search for
 * the word count that makes an exact number of tokens (words are not tokens: a byte-level vocabulary of a
 * few hundred ids spends two or three tokens on a word).
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
   * @param numWords words of {@link #prompt(long)} (at least 1)
   * @param sharedPrefix whether all prompts start with the same three quarters of {@code numWords}
   * @param seed makes runs reproducible
   */
  public PromptGenerator(int numWords, boolean sharedPrefix, long seed) {
    this(numWords, sharedPrefix ? numWords * 3 / 4 : 0, seed);
  }

  /**
   * @param numWords words of {@link #prompt(long)} (at least 1)
   * @param numSharedWords leading words every prompt has in common (0 for none)
   * @param seed makes runs reproducible
   */
  public PromptGenerator(int numWords, int numSharedWords, long seed) {
    if (numWords < 1) {
      throw new IllegalArgumentException("prompt length must be at least 1 word, got " + numWords);
    }
    if (numSharedWords < 0) {
      throw new IllegalArgumentException("shared words must not be negative, got " + numSharedWords);
    }
    this.numWords = numWords;
    this.numSharedWords = numSharedWords;
    this.seed = seed;
  }

  /** The prompt of request number {@code index} (the same index always gives the same prompt). */
  public String prompt(long index) {
    return prompt(index, numWords);
  }

  /** The first {@code numWords} words of request {@code index}'s prompt. */
  public String prompt(long index, int numWords) {
    if (numWords < 1) {
      throw new IllegalArgumentException("prompt length must be at least 1 word, got " + numWords);
    }
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
