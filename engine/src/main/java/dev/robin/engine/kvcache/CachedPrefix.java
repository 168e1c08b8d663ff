package dev.robin.engine.kvcache;

/**
 * The longest run of full blocks at the start of a token sequence that the prefix cache already holds.
 *
 * @param numTokens tokens covered, a multiple of the block size
 * @param blockIds the cached blocks, in order
 * @param hashes their hash chain, parallel to {@code blockIds}
 */
public record CachedPrefix(int numTokens, int[] blockIds, BlockHash[] hashes) {

  public static final CachedPrefix NONE = new CachedPrefix(0, new int[0], new BlockHash[0]);

  public int numBlocks() {
    return blockIds.length;
  }
}
