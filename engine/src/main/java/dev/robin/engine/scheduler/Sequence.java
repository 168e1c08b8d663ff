package dev.robin.engine.scheduler;

import dev.robin.engine.request.GenerationRequest;
import java.util.Arrays;

/** A sequence's tokens and progress, owned by the {@link Scheduler}. */
final class Sequence {

  /** The scheduler's own handle: the runner and the KV cache know the sequence by it. */
  final long id;
  final String requestId;
  final int numPromptTokens;
  final int maxTokens;
  final boolean ignoreEos;
  private int[] tokens;
  private int numTokens;
  /** Tokens whose keys and values are in the KV cache; catches up with {@link #numTokens()}. */
  int numComputedTokens;
  /** Prompt tokens found cached when first scheduled; -1 until then. */
  int numCachedPromptTokens = -1;
  int numPreemptions;

  Sequence(long id, GenerationRequest request) {
    this.id = id;
    this.requestId = request.id();
    this.numPromptTokens = request.promptIds().length;
    this.maxTokens = request.maxTokens();
    this.ignoreEos = request.ignoreEos();
    this.tokens = Arrays.copyOf(request.promptIds(), numPromptTokens + Math.min(request.maxTokens(), 256));
    this.numTokens = numPromptTokens;
  }

  int numTokens() {
    return numTokens;
  }

  int numGeneratedTokens() {
    return numTokens - numPromptTokens;
  }

  int numUncomputedTokens() {
    return numTokens - numComputedTokens;
  }

  /** The backing array; valid up to {@link #numTokens()}. */
  int[] tokens() {
    return tokens;
  }

  int[] tokens(int from, int to) {
    return Arrays.copyOfRange(tokens, from, to);
  }

  void append(int tokenId) {
    if (numTokens == tokens.length) {
      tokens = Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[numTokens++] = tokenId;
  }
}
