package dev.robin.engine.grammar;

/**
 * A {@link Grammar} bound to a model's vocabulary: the one object every sequence constrained by the same grammar
 * shares. Holds the token trie and the per-state mask cache ({@link TokenMasks}), filled as sequences reach new
 * states. Thread-safe: matchers on different threads may share it.
 */
public final class CompiledGrammar {

  private final Grammar grammar;
  private final TokenVocabularyBytes vocab;
  private final TokenMasks masks;
  private final long compileNanos;

  CompiledGrammar(Grammar grammar, TokenVocabularyBytes vocab, TokenTrie trie, long compileNanos) {
    this.grammar = grammar;
    this.vocab = vocab;
    this.masks = new TokenMasks(grammar, vocab, trie);
    this.compileNanos = compileNanos;
  }

  /** Binds {@code grammar} to {@code vocab}, building the vocabulary's trie (prefer {@link GrammarCache}). */
  public static CompiledGrammar of(Grammar grammar, TokenVocabularyBytes vocab) {
    return new CompiledGrammar(grammar, vocab, new TokenTrie(vocab), 0);
  }

  static CompiledGrammar of(Grammar grammar, TokenVocabularyBytes vocab, TokenTrie trie, long compileNanos) {
    return new CompiledGrammar(grammar, vocab, trie, compileNanos);
  }

  /** A matcher at the start of a document. */
  public GrammarMatcher newMatcher() {
    return new GrammarMatcher(this);
  }

  public Grammar grammar() {
    return grammar;
  }

  public TokenVocabularyBytes vocabulary() {
    return vocab;
  }

  TokenMasks masks() {
    return masks;
  }

  /** How long compiling the grammar took (0 if not compiled through a {@link GrammarCache}). */
  public long compileNanos() {
    return compileNanos;
  }

  /** What the mask cache holds and cost so far. */
  public Stats stats() {
    return new Stats(grammar.ruleCount(), grammar.stateCount(), masks.entryCount(), masks.computeNanos(),
        masks.memoryBytes());
  }

  /**
   * @param rules rules of the pushdown automaton (1 without recursion)
   * @param states DFA states over all rules
   * @param cachedMasks masks computed so far (one per stack key reached)
   * @param maskComputeNanos time spent computing them (trie walks), summed over threads
   * @param cacheBytes memory the cached masks hold
   */
  public record Stats(int rules, int states, int cachedMasks, long maskComputeNanos, long cacheBytes) {}
}
