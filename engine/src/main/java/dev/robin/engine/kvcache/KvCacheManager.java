package dev.robin.engine.kvcache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which KV blocks each sequence holds. Allocation refuses (returns false, changes nothing) when the pool
 * is short, so the scheduler decides what to do: wait, or preempt someone. Full computed blocks enter the
 * prefix cache, and a new sequence starts from the longest cached prefix of its tokens. When every layer of the
 * model attends only to a window of recent positions, the blocks a sequence has left wholly behind it are
 * released as it advances (its block table then holds {@link #RELEASED} there), so a long stream holds a
 * window's worth of blocks, not its whole length.
 *
 * <p>Not thread-safe: one engine step loop owns it.
 */
public final class KvCacheManager {

  private final BlockPool pool;
  private final int blockSize;
  private final boolean prefixCaching;
  private final int attentionWindow; // 0: every position stays visible
  private final Map<Long, SequenceBlocks> sequences = new HashMap<>();

  /** A block-table entry whose block was released because no future query of the sequence can see it. */
  public static final int RELEASED = -1;

  /** A sequence's block table and the hash chain of its full blocks. */
  private static final class SequenceBlocks {
    int[] blockIds = new int[8];
    int numBlocks;
    int numComputedTokens;
    int numReleased; // leading blocks already behind the window
    final List<BlockHash> hashes = new ArrayList<>();

    void add(int blockId) {
      if (numBlocks == blockIds.length) {
        blockIds = Arrays.copyOf(blockIds, numBlocks * 2);
      }
      blockIds[numBlocks++] = blockId;
    }
  }

  public KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching) {
    this(numBlocks, blockSize, prefixCaching, 0);
  }

  /**
   * @param attentionWindow positions a query attends to at most, itself included, in every layer (see {@link
   *     dev.robin.engine.scheduler.ModelRunner#attentionWindow()}); 0 when some layer sees the whole context
   */
  public KvCacheManager(int numBlocks, int blockSize, boolean prefixCaching, int attentionWindow) {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
    }
    if (attentionWindow < 0) {
      throw new IllegalArgumentException("attentionWindow must not be negative, got " + attentionWindow);
    }
    this.pool = new BlockPool(numBlocks);
    this.blockSize = blockSize;
    this.prefixCaching = prefixCaching;
    this.attentionWindow = attentionWindow;
  }

  /** How many blocks of {@code bytesPerBlock} fit in {@code memoryBudgetBytes} (at least 0). */
  public static int numBlocksForBudget(long memoryBudgetBytes, long bytesPerBlock) {
    if (bytesPerBlock <= 0) {
      throw new IllegalArgumentException("bytesPerBlock must be positive, got " + bytesPerBlock);
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(0, memoryBudgetBytes / bytesPerBlock));
  }

  /** Bytes of one block: keys and values of every layer for {@code blockSize} positions. */
  public static long bytesPerBlock(
      int numLayers, int numKvHeads, int headDim, int blockSize, int bytesPerElement) {
    return 2L * numLayers * numKvHeads * headDim * blockSize * bytesPerElement;
  }

  public int blockSize() {
    return blockSize;
  }

  /** Positions every query sees at most, blocks behind them released; 0 when all stay. */
  public int attentionWindow() {
    return attentionWindow;
  }

  public int numBlocks() {
    return pool.numBlocks();
  }

  public int numFreeBlocks() {
    return pool.numFreeBlocks();
  }

  /** Blocks held by sequences (cached prefixes nobody holds are free: they are evicted on demand). */
  public int numUsedBlocks() {
    return pool.numUsedBlocks();
  }

  public int numCachedBlocks() {
    return pool.numCachedBlocks();
  }

  public long numEvictions() {
    return pool.numEvictions();
  }

  /** Blocks needed to hold {@code numTokens} positions. */
  public int blocksFor(int numTokens) {
    return (numTokens + blockSize - 1) / blockSize;
  }

  /** Number of leading tokens of {@code tokens} whose keys and values are cached. */
  public int findCachedPrefix(int[] tokens) {
    return findCachedPrefix(tokens, tokens.length).numTokens();
  }

  /**
   * The longest cached prefix of {@code tokens[0, numTokens)}, in whole blocks, always leaving at least the
   * last token to compute so the step yields its logits.
   */
  public CachedPrefix findCachedPrefix(int[] tokens, int numTokens) {
    if (!prefixCaching || numTokens <= 1) {
      return CachedPrefix.NONE;
    }
    int maxBlocks = (numTokens - 1) / blockSize;
    int[] ids = new int[maxBlocks];
    BlockHash[] chain = new BlockHash[maxBlocks];
    BlockHash parent = BlockHash.ROOT;
    int n = 0;
    while (n < maxBlocks) {
      BlockHash hash = BlockHash.of(parent, tokens, n * blockSize, (n + 1) * blockSize);
      int id = pool.lookup(hash, tokens, n * blockSize, blockSize);
      if (id < 0) {
        break;
      }
      ids[n] = id;
      chain[n] = hash;
      parent = hash;
      n++;
    }
    return n == 0
        ? CachedPrefix.NONE
        : new CachedPrefix(n * blockSize, Arrays.copyOf(ids, n), Arrays.copyOf(chain, n));
  }

  /** Whether the sequence holds blocks. */
  public boolean contains(long sequenceId) {
    return sequences.containsKey(sequenceId);
  }

  /** Allocates room for {@code numNewTokens} after a sequence's computed tokens (no cached prefix). */
  public boolean allocate(long sequenceId, int numNewTokens) {
    SequenceBlocks seq = sequences.get(sequenceId);
    if (seq == null) {
      return allocate(sequenceId, CachedPrefix.NONE, numNewTokens);
    }
    int numNewBlocks = blocksFor(seq.numComputedTokens + numNewTokens) - seq.numBlocks;
    if (numNewBlocks > pool.numFreeBlocks()) {
      return false;
    }
    for (int id : pool.takeFreeBlocks(Math.max(0, numNewBlocks))) {
      seq.add(id);
    }
    return true;
  }

  /**
   * Starts a sequence on a cached prefix (found by {@link #findCachedPrefix(int[], int)} in the same step)
   * plus room for {@code numNewTokens}. Returns false, holding nothing, when the pool is short. With a window,
   * the prefix's blocks wholly behind the first new query's window are not taken at all: a cached prefix may be
   * longer than the pool could hold beside the new tokens, and those blocks would be released after the step.
   */
  public boolean allocate(long sequenceId, CachedPrefix prefix, int numNewTokens) {
    if (sequences.containsKey(sequenceId)) {
      throw new IllegalStateException("sequence " + sequenceId + " already holds blocks");
    }
    int numBehind = Math.min(prefix.numBlocks(), blocksBehindWindow(prefix.numTokens()));
    int numEvictableReused = 0;
    for (int i = numBehind; i < prefix.numBlocks(); i++) {
      if (pool.refCount(prefix.blockIds()[i]) == 0) {
        numEvictableReused++;
      }
    }
    int numNewBlocks = blocksFor(prefix.numTokens() + numNewTokens) - prefix.numBlocks();
    if (numNewBlocks + numEvictableReused > pool.numFreeBlocks()) {
      return false;
    }
    SequenceBlocks seq = new SequenceBlocks();
    for (int i = 0; i < prefix.numBlocks(); i++) {
      if (i < numBehind) {
        seq.add(RELEASED);
      } else {
        pool.share(prefix.blockIds()[i]);
        seq.add(prefix.blockIds()[i]);
      }
      seq.hashes.add(prefix.hashes()[i]);
    }
    seq.numReleased = numBehind;
    for (int id : pool.takeFreeBlocks(numNewBlocks)) {
      seq.add(id);
    }
    seq.numComputedTokens = prefix.numTokens();
    sequences.put(sequenceId, seq);
    return true;
  }

  /**
   * Records that the first {@code numComputedTokens} of {@code tokens} now have their keys and values in
   * the sequence's blocks, and offers the newly full blocks to the prefix cache.
   */
  public void markComputed(long sequenceId, int[] tokens, int numComputedTokens) {
    SequenceBlocks seq = sequences.get(sequenceId);
    if (seq == null) {
      throw new IllegalStateException("sequence " + sequenceId + " holds no blocks");
    }
    if (numComputedTokens > seq.numBlocks * blockSize) {
      throw new IllegalStateException("sequence " + sequenceId + " computed beyond its blocks");
    }
    seq.numComputedTokens = numComputedTokens;
    if (prefixCaching) {
      int numFull = numComputedTokens / blockSize;
      for (int i = seq.hashes.size(); i < numFull; i++) {
        BlockHash parent = i == 0 ? BlockHash.ROOT : seq.hashes.get(i - 1);
        BlockHash hash = BlockHash.of(parent, tokens, i * blockSize, (i + 1) * blockSize);
        seq.hashes.add(hash);
        pool.cache(seq.blockIds[i], hash, tokens, i * blockSize, blockSize);
      }
    }
    releaseBehindWindow(seq);
  }

  /** Releases the blocks behind the next query's window; cached ones stay reusable until evicted. */
  private void releaseBehindWindow(SequenceBlocks seq) {
    int behind = Math.min(seq.numBlocks, blocksBehindWindow(seq.numComputedTokens));
    for (; seq.numReleased < behind; seq.numReleased++) {
      pool.release(seq.blockIds[seq.numReleased]);
      seq.blockIds[seq.numReleased] = RELEASED;
    }
  }

  /** Number of tokens the manager believes computed for the sequence (0 when it holds nothing). */
  public int numComputedTokens(long sequenceId) {
    SequenceBlocks seq = sequences.get(sequenceId);
    return seq == null ? 0 : seq.numComputedTokens;
  }

  /**
   * Leading blocks no query at position {@code nextPosition} or later can see: it sees back to
   * {@code nextPosition - window + 1}. 0 without a window.
   */
  private int blocksBehindWindow(int nextPosition) {
    return attentionWindow == 0 ? 0 : Math.max(0, nextPosition - attentionWindow + 1) / blockSize;
  }

  /** The sequence's physical blocks in order (a copy); {@link #RELEASED} for those behind the window. */
  public int[] blockTable(long sequenceId) {
    SequenceBlocks seq = sequences.get(sequenceId);
    return seq == null ? new int[0] : Arrays.copyOf(seq.blockIds, seq.numBlocks);
  }

  /**
   * Releases every block of the sequence; cached ones stay reusable until evicted. Tail blocks are
   * released first so they are evicted before the prefix blocks other requests are likelier to share.
   */
  public void free(long sequenceId) {
    SequenceBlocks seq = sequences.remove(sequenceId);
    if (seq == null) {
      return;
    }
    for (int i = seq.numBlocks - 1; i >= seq.numReleased; i--) {
      pool.release(seq.blockIds[i]);
    }
  }
}
