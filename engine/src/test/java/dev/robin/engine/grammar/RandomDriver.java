package dev.robin.engine.grammar;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

/**
 * Drives a matcher as a sampler would, with random choices instead of a model: before each token it fills the
 * mask (timed), then picks among the allowed tokens, a stop id with probability {@code stopProbability} when one
 * is allowed. Half of the picks are uniform over the allowed tokens; the other half pick a uniformly random allowed
 * first byte, then a uniform token starting with it (so a token starting with {@code "} is not one in 150,000).
 * After {@value #PRESSURE_AFTER} tokens, three picks in ten take a closing {@code "}, {@code ]} or {@code \}} when
 * one is allowed, so unbounded strings and nesting end in a few hundred tokens. Every allowed token keeps a chance.
 */
final class RandomDriver {

  static final int PRESSURE_AFTER = 150;
  private static final int[] CLOSERS = {'"', ']', '}'};

  private final Random random;
  private final double stopProbability;
  private final int maxTokens;
  final LongSamples maskNanos;
  /** Mask times of the steps whose masks were all cached already, and of those that walked the trie. */
  final LongSamples warmNanos = new LongSamples();
  final LongSamples coldNanos = new LongSamples();

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
    ByFirstByte index = ByFirstByte.of(vocab);
    long[] mask = m.newMask();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int step = 0; step < maxTokens; step++) {
      int cachedBefore = grammar.masks().entryCount();
      long t0 = System.nanoTime();
      m.fillMask(mask);
      long nanos = System.nanoTime() - t0;
      maskNanos.add(nanos);
      (grammar.masks().entryCount() == cachedBefore ? warmNanos : coldNanos).add(nanos);
      boolean stopAllowed = false;
      for (int id : vocab.stopIds()) {
        if (isSet(mask, id)) {
          stopAllowed = true;
          mask[id >>> 6] &= ~(1L << id);
        }
      }
      if (stopAllowed != m.canEnd()) {
        throw new AssertionError("stop bit " + stopAllowed + " but canEnd " + m.canEnd());
      }
      int count = 0;
      for (long w : mask) {
        count += Long.bitCount(w);
      }
      if (stopAllowed && (count == 0 || random.nextDouble() < stopProbability)) {
        if (!m.accept(vocab.stopIds()[0])) {
          throw new AssertionError("stop refused where allowed");
        }
        return out.toByteArray();
      }
      if (count == 0) {
        throw new AssertionError("dead end: no token allowed after "
            + out.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
      int pick = -1;
      double mode = random.nextDouble();
      if (step >= PRESSURE_AFTER && mode < 0.3) {
        pick = closer(index, mask);
      }
      if (pick < 0) {
        pick = random.nextBoolean() ? kthSetBit(mask, random.nextInt(count)) : byFirstByte(index, mask);
      }
      byte[] b = vocab.bytes(pick);
      if (!m.accept(pick)) {
        throw new AssertionError("token " + pick + " allowed by the mask but refused by accept");
      }
      out.write(b, 0, b.length);
    }
    throw new AssertionError("no document within " + maxTokens + " tokens: "
        + out.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static boolean isSet(long[] mask, int id) {
    return (mask[id >>> 6] & (1L << id)) != 0;
  }

  private int closer(ByFirstByte index, long[] mask) {
    int[] allowed = new int[CLOSERS.length];
    int n = 0;
    for (int c : CLOSERS) {
      int id = index.single[c];
      if (id >= 0 && isSet(mask, id)) {
        allowed[n++] = id;
      }
    }
    return n == 0 ? -1 : allowed[random.nextInt(n)];
  }

  private static int kthSetBit(long[] mask, int k) {
    for (int w = 0; w < mask.length; w++) {
      int c = Long.bitCount(mask[w]);
      if (k < c) {
        long bits = mask[w];
        for (int i = 0; i < k; i++) {
          bits &= bits - 1;
        }
        return (w << 6) + Long.numberOfTrailingZeros(bits);
      }
      k -= c;
    }
    throw new IllegalStateException();
  }

  /** A uniformly random allowed first byte, then a uniformly random allowed token starting with it. */
  private int byFirstByte(ByFirstByte index, long[] mask) {
    int[] firsts = new int[256];
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (index.anyAllowed(b, mask)) {
        firsts[n++] = b;
      }
    }
    int[] ids = index.ids[firsts[random.nextInt(n)]];
    for (int tries = 0; tries < 64; tries++) {
      int id = ids[random.nextInt(ids.length)];
      if (isSet(mask, id)) {
        return id;
      }
    }
    int[] allowed = new int[ids.length];
    int k = 0;
    for (int id : ids) {
      if (isSet(mask, id)) {
        allowed[k++] = id;
      }
    }
    return allowed[random.nextInt(k)];
  }

  /** The token ids of a vocabulary by first byte, and the single-byte token of each byte. */
  static final class ByFirstByte {
    private static final java.util.Map<TokenVocabularyBytes, ByFirstByte> CACHE =
        java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    final int[][] ids = new int[256][];
    final int[] single = new int[256];

    static ByFirstByte of(TokenVocabularyBytes vocab) {
      return CACHE.computeIfAbsent(vocab, ByFirstByte::new);
    }

    private ByFirstByte(TokenVocabularyBytes vocab) {
      Arrays.fill(single, -1);
      int[] count = new int[256];
      for (int id = 0; id < vocab.size(); id++) {
        byte[] b = vocab.bytesOf(id);
        if (b != null) {
          count[b[0] & 0xFF]++;
          if (b.length == 1) {
            single[b[0] & 0xFF] = id;
          }
        }
      }
      for (int b = 0; b < 256; b++) {
        ids[b] = new int[count[b]];
        count[b] = 0;
      }
      for (int id = 0; id < vocab.size(); id++) {
        byte[] b = vocab.bytesOf(id);
        if (b != null) {
          ids[b[0] & 0xFF][count[b[0] & 0xFF]++] = id;
        }
      }
    }

    /** A token starting with b is allowed iff the one-byte token b is (a valid prefix is a valid token). */
    boolean anyAllowed(int b, long[] mask) {
      if (single[b] >= 0) {
        return isSet(mask, single[b]);
      }
      for (int id : ids[b]) {
        if (isSet(mask, id)) {
          return true;
        }
      }
      return false;
    }
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

    void addAll(LongSamples other) {
      for (int i = 0; i < other.size; i++) {
        add(other.values[i]);
      }
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
