package dev.robin.engine.scheduler;

/**
 * One sequence's share of a scheduler step: the tokens whose keys and values are computed now (a chunk of
 * the prompt, or the one newest token while decoding), where their keys and values go in the paged KV
 * cache, and whether the logits of the chunk's last position are wanted.
 *
 * @param sequenceId the scheduler's id of the sequence
 * @param tokenIds tokens computed this step, in order
 * @param startPosition position of {@code tokenIds[0]}; equals the number of tokens already in the cache
 * @param blockTable physical KV blocks of the sequence, in order, covering positions
 *     {@code [0, startPosition + tokenIds.length)}; position p lives in block {@code blockTable[p / blockSize]}
 *     at offset {@code p % blockSize}
 * @param wantsLogits whether the runner returns the logits of the last token (the prompt is complete
 *     after this chunk, or the sequence is decoding)
 */
public record SequenceChunk(
    long sequenceId, int[] tokenIds, int startPosition, int[] blockTable, boolean wantsLogits) {

  public int numTokens() {
    return tokenIds.length;
  }

  /** Number of positions the sequence's attention covers after this chunk. */
  public int contextLength() {
    return startPosition + tokenIds.length;
  }
}
