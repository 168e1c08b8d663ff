package dev.robin.engine.kvcache;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A fixed pool of KV blocks, preallocated once: reference counts, a free queue in eviction order, and the
 * prefix cache (a map from {@link BlockHash} to the block holding that full block of tokens).
 *
 * <p>A cached block whose reference count drops to 0 stays in the map and in the free queue, so a later
 * request with the same prefix can take it back; it is forgotten only when the queue hands it out for
 * reuse. Blocks that hold no cached prefix go to the front of the queue, cached ones to the back, so the
 * least recently used cached prefix is evicted first. Not thread-safe: one engine step loop owns it.
 */
public final class BlockPool {

  private final int numBlocks;
  private final int[] refCounts;
  private final BlockHash[] hashes;
  // The tokens of each cached block, compared on lookup as a second guard against hash collisions.
  private final int[][] cachedTokens;
  private final FreeBlockQueue freeQueue;
  private final Map<BlockHash, Integer> cachedBlocks = new HashMap<>();
  private long numEvictions;

  public BlockPool(int numBlocks) {
    if (numBlocks <= 0) {
      throw new IllegalArgumentException("numBlocks must be positive, got " + numBlocks);
    }
    this.numBlocks = numBlocks;
    this.refCounts = new int[numBlocks];
    this.hashes = new BlockHash[numBlocks];
    this.cachedTokens = new int[numBlocks][];
    this.freeQueue = new FreeBlockQueue(numBlocks);
  }

  public int numBlocks() {
    return numBlocks;
  }

  /** Blocks that can be handed out now, including evictable cached ones. */
  public int numFreeBlocks() {
    return freeQueue.size();
  }

  /** Blocks referenced by at least one sequence. */
  public int numUsedBlocks() {
    return numBlocks - freeQueue.size();
  }

  /** Blocks registered in the prefix cache, in use or not. */
  public int numCachedBlocks() {
    return cachedBlocks.size();
  }

  public long numEvictions() {
    return numEvictions;
  }

  public int refCount(int blockId) {
    return refCounts[blockId];
  }

  /**
   * Takes {@code n} blocks from the head of the free queue, evicting their cached prefixes, each with a
   * reference count of 1. The caller checks {@link #numFreeBlocks()} first.
   */
  public int[] takeFreeBlocks(int n) {
    if (n > freeQueue.size()) {
      throw new IllegalStateException("asked for " + n + " blocks, " + freeQueue.size() + " free");
    }
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      int id = freeQueue.popFirst();
      evict(id);
      refCounts[id] = 1;
      ids[i] = id;
    }
    return ids;
  }

  /**
   * The cached block holding {@code tokens[from, from + blockSize)} after the prefix {@code hash} chains,
   * or -1.
   */
  public int lookup(BlockHash hash, int[] tokens, int from, int blockSize) {
    Integer id = cachedBlocks.get(hash);
    if (id == null) {
      return -1;
    }
    boolean sameTokens = Arrays.equals(cachedTokens[id], 0, blockSize, tokens, from, from + blockSize);
    return sameTokens ? id : -1;
  }

  /** Adds a reference to a block, taking it out of the free queue if it was evictable. */
  public void share(int blockId) {
    if (refCounts[blockId] == 0) {
      freeQueue.remove(blockId);
    }
    refCounts[blockId]++;
  }

  /** Drops a reference; at 0 the block becomes free (kept as an evictable cached prefix if it is one). */
  public void release(int blockId) {
    if (refCounts[blockId] <= 0) {
      throw new IllegalStateException("block " + blockId + " released more often than taken");
    }
    if (--refCounts[blockId] == 0) {
      if (hashes[blockId] != null) {
        freeQueue.addLast(blockId);
      } else {
        freeQueue.addFirst(blockId);
      }
    }
  }

  /**
   * Registers a full, computed block in the prefix cache. Returns false, changing nothing, when another
   * block already holds the same prefix (two sequences computed it independently) or this one is cached.
   */
  public boolean cache(int blockId, BlockHash hash, int[] tokens, int from, int blockSize) {
    if (hashes[blockId] != null || cachedBlocks.containsKey(hash)) {
      return false;
    }
    hashes[blockId] = hash;
    cachedTokens[blockId] = Arrays.copyOfRange(tokens, from, from + blockSize);
    cachedBlocks.put(hash, blockId);
    return true;
  }

  private void evict(int blockId) {
    BlockHash hash = hashes[blockId];
    if (hash != null) {
      cachedBlocks.remove(hash);
      hashes[blockId] = null;
      cachedTokens[blockId] = null;
      numEvictions++;
    }
  }
}
