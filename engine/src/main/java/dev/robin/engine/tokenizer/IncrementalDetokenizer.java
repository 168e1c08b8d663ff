package dev.robin.engine.tokenizer;

/**
 * Turns one sequence's generated tokens into text as they arrive. It returns only complete UTF-8 characters
 * (a byte-fallback token can carry half of one) and never the text of special tokens.
 */
public interface IncrementalDetokenizer {

  /** Adds a token; returns the new text that is now complete (possibly empty). */
  String push(int tokenId);

  /** At the end of the sequence: whatever is still held back (an incomplete character becomes U+FFFD). */
  String flush();
}
