package dev.robin.engine.grammar;

import dev.robin.engine.grammar.Pda.Closed;
import dev.robin.engine.grammar.Pda.Config;

/**
 * One sequence's position in its grammar. The sampler calls {@link #fillMask(long[])} before sampling (the bits
 * of the allowed token ids; the stop ids only where the document may end) and {@link #accept(int)} with the
 * sampled token after. The mask depends only on this matcher's own state, never on other sequences of the batch.
 * Not thread-safe (one sequence, one thread at a time); its {@link CompiledGrammar} is shared.
 */
public final class GrammarMatcher {

  private final CompiledGrammar compiled;
  private final Grammar grammar;
  private final TokenVocabularyBytes vocab;
  private Config config;
  private Closed closed;
  private boolean terminated;
  private int lastDependentChecks;

  GrammarMatcher(CompiledGrammar compiled) {
    this.compiled = compiled;
    this.grammar = compiled.grammar();
    this.vocab = compiled.vocabulary();
    this.config = Pda.initial();
  }

  /**
   * Advances by one sampled token. A stop id is accepted only where the document may end, and terminates the
   * matcher. Returns false (and stays where it was) if the grammar does not allow the token here.
   */
  public boolean accept(int tokenId) {
    if (terminated) {
      return false;
    }
    if (vocab.isStop(tokenId)) {
      if (canEnd()) {
        terminated = true;
        return true;
      }
      return false;
    }
    byte[] bytes = vocab.bytesOf(tokenId);
    if (bytes == null) {
      return false;
    }
    return advance(bytes);
  }

  /** Advances by raw bytes (text the grammar itself forces, tests). Returns false and stays put if refused. */
  public boolean acceptBytes(byte[] bytes) {
    if (terminated || bytes.length == 0) {
      return false;
    }
    return advance(bytes);
  }

  private boolean advance(byte[] bytes) {
    Config c = Pda.step(grammar, closed(), bytes[0] & 0xFF);
    if (c == null) {
      return false;
    }
    c = Pda.run(grammar, c, bytes, 1);
    if (c == null) {
      return false;
    }
    config = c;
    closed = null;
    return true;
  }

  /** Whether the grammar allows {@code bytes} next, checked byte by byte without the mask cache (tests). */
  boolean allowsBytes(byte[] bytes) {
    if (terminated || bytes == null || bytes.length == 0) {
      return false;
    }
    Config c = Pda.step(grammar, closed(), bytes[0] & 0xFF);
    return c != null && Pda.run(grammar, c, bytes, 1) != null;
  }

  /** Whether the text so far is a complete document: a stop token is allowed now. */
  public boolean canEnd() {
    return !terminated && closed().canEnd();
  }

  /** Whether a stop token was accepted: the document is complete. */
  public boolean isTerminated() {
    return terminated;
  }

  /**
   * Writes the allowed next tokens into {@code mask} (bit {@code id % 64} of word {@code id / 64}), clearing all
   * other bits; the stop ids are set only where the document may end. After termination nothing but the stop ids
   * is allowed. {@code mask} needs at least {@link TokenVocabularyBytes#maskWords()} words.
   */
  public void fillMask(long[] mask) {
    int words = vocab.maskWords();
    if (mask.length < words) {
      throw new IllegalArgumentException("mask of " + mask.length + " words, the vocabulary needs " + words);
    }
    if (terminated) {
      java.util.Arrays.fill(mask, 0L);
      setStops(mask);
      return;
    }
    Closed c = closed();
    lastDependentChecks = compiled.masks().fill(c, mask);
    for (int i = words; i < mask.length; i++) {
      mask[i] = 0L;
    }
    if (c.canEnd()) {
      setStops(mask);
    }
  }

  /** A new mask sized for this vocabulary. */
  public long[] newMask() {
    return new long[vocab.maskWords()];
  }

  /** How many context-dependent tokens the last {@link #fillMask} checked against the whole stack. */
  public int lastDependentChecks() {
    return lastDependentChecks;
  }

  /** Number of parallel stacks (parses) the matcher tracks now; 1 for an unambiguous position. */
  public int stackCount() {
    return closed().tops().length;
  }

  private void setStops(long[] mask) {
    for (int id : vocab.stopIdsShared()) {
      mask[id >>> 6] |= 1L << id;
    }
  }

  private Closed closed() {
    if (closed == null) {
      closed = Pda.closure(grammar, config);
    }
    return closed;
  }
}
