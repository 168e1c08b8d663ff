package dev.robin.engine.grammar;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * Drives a matcher as a sampler would, with random choices instead of a model: before each token it fills the
 * mask (timed), then picks among the allowed tokens, a stop id with probability {@code stopProbability} when one
 * is allowed. Half of the picks are uniform over the allowed tokens; the other half pick a uniformly random allowed
 * first byte, then a uniform token starting with it, so closing a string (one byte among ~200) does not take
 * thousands of tokens in a 151k vocabulary while every allowed token keeps a chance.
 */
final class RandomDriver {

  private final Random random;
  private final double stopProbability;
  private final int maxTokens;
  final LongSamples maskNanos;

  RandomDriver(long seed, double stopProbability, int maxTokens, LongSamples maskNanos) {
    this.random = new Random(seed);
    this.stopProbability = stopProbability;
    this.maxTokens = maxTokens;
    this.maskNanos = maskNanos;
  }

  /** The bytes of one document, or throws if the matcher dead-ends or the budget runs out. */
  byte[] generate(CompiledGrammar grammar) {
    GrammarMatcher m = grammar.newMatcher();
    TokenVocabularyBytes vocab = grammar.vocabulary();
    long[] mask = m.newMask();
    int[] allowed = new int[vocab.size()];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int step = 0; step < maxTokens; step++) {
      long t0 = System.nanoTime();
      m.fillMask(mask);
      maskNanos.add(System.nanoTime() - t0);
      int n = 0;
      boolean stopAllowed = false;
      for (int w = 0; w < mask.length; w++) {
        long bits = mask[w];
        while (bits != 0) {
          int id = (w << 6) + Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          if (vocab.isStop(id)) {
            stopAllowed = true;
          } else {
            allowed[n++] = id;
          }
        }
      }
      if (stopAllowed != m.canEnd()) {
        throw new AssertionError("stop bit " + stopAllowed + " but canEnd " + m.canEnd());
      }
      if (stopAllowed && (n == 0 || random.nextDouble() < stopProbability)) {
        if (!m.accept(Qwen3Vocabulary.IM_END)) {
          throw new AssertionError("stop refused where allowed");
        }
        return out.toByteArray();
      }
      if (n == 0) {
        throw new AssertionError("dead end: no token allowed after " + out.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
      int pick = random.nextBoolean() ? allowed[random.nextInt(n)] : byFirstByte(vocab, allowed, n);
      byte[] b = vocab.bytesOf(pick);
      if (!m.accept(pick)) {
        throw new AssertionError("token " + pick + " allowed by the mask but refused by accept");
      }
      out.write(b, 0, b.length);
    }
    throw new AssertionError("no document within " + maxTokens + " tokens: "
        + out.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  private int byFirstByte(TokenVocabularyBytes vocab, int[] allowed, int n) {
    int[] count = new int[256];
    for (int i = 0; i < n; i++) {
      count[vocab.bytesOf(allowed[i])[0] & 0xFF]++;
    }
    int firsts = 0;
    for (int c : count) {
      if (c > 0) {
        firsts++;
      }
    }
    int k = random.nextInt(firsts);
    int first = -1;
    for (int b = 0; b < 256; b++) {
      if (count[b] > 0 && k-- == 0) {
        first = b;
        break;
      }
    }
    int j = random.nextInt(count[first]);
    for (int i = 0; i < n; i++) {
      if ((vocab.bytesOf(allowed[i])[0] & 0xFF) == first && j-- == 0) {
        return allowed[i];
      }
    }
    throw new IllegalStateException();
  }

  /** A growable list of samples with percentiles. */
  static final class LongSamples {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int size() {
      return size;
    }

    long percentile(double p) {
      if (size == 0) {
        return 0;
      }
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      return sorted[(int) Math.min(size - 1, Math.floor(p / 100.0 * size))];
    }

    double mean() {
      double s = 0;
      for (int i = 0; i < size; i++) {
        s += values[i];
      }
      return size == 0 ? 0 : s / size;
    }
  }
}
