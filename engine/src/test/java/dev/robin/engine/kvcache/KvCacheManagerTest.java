package dev.robin.engine.kvcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KvCacheManagerTest {

  private static int[] tokens(int from, int count) {
    return IntStream.range(from, from + count).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
  }

  /** Allocates a sequence for all its tokens and marks them computed, as a finished prefill would. */
  private static void prefill(KvCacheManager kv, long id, int[] prompt) {
    CachedPrefix prefix = kv.findCachedPrefix(prompt, prompt.length);
    assertTrue(kv.allocate(id, prefix, prompt.length - prefix.numTokens()));
    kv.markComputed(id, prompt, prompt.length);
  }

  @Test
  void refusesWhenShortAndChangesNothing() {
    KvCacheManager kv = new KvCacheManager(4, 16, true);
    assertTrue(kv.allocate(1, 40)); // 3 blocks
    assertEquals(1, kv.numFreeBlocks());
    assertFalse(kv.allocate(2, 17)); // needs 2
    assertFalse(kv.contains(2));
    assertEquals(1, kv.numFreeBlocks());
    kv.markComputed(1, tokens(0, 40), 40);
    assertTrue(kv.allocate(1, 8)); // 48 tokens still fit in 3 blocks
    assertEquals(1, kv.numFreeBlocks());
    assertFalse(kv.allocate(1, 40)); // 88 tokens would need 6
    assertEquals(3, kv.blockTable(1).length);
    kv.free(1);
    assertEquals(4, kv.numFreeBlocks());
    assertEquals(0, kv.numUsedBlocks());
  }

  @Test
  void secondRequestWithSamePrefixReusesItsBlocks() {
    KvCacheManager kv = new KvCacheManager(32, 16, true);
    int[] prefix = tokens(1000, 48);
    int[] first = concat(prefix, tokens(1, 10));
    int[] second = concat(prefix, tokens(500, 7));
    prefill(kv, 1, first);
    assertEquals(48, kv.findCachedPrefix(second));
    CachedPrefix cached = kv.findCachedPrefix(second, second.length);
    assertArrayEquals(
        java.util.Arrays.copyOf(kv.blockTable(1), 3), cached.blockIds(), "same physical blocks");
    int usedBefore = kv.numUsedBlocks();
    prefill(kv, 2, second);
    assertEquals(usedBefore + 1, kv.numUsedBlocks(), "only the suffix block is new");
    kv.free(1);
    kv.free(2);
    assertEquals(0, kv.numUsedBlocks());
    assertEquals(48, kv.findCachedPrefix(second), "freed prefix blocks stay cached");
  }

  @Test
  void alwaysLeavesTheLastTokenToCompute() {
    KvCacheManager kv = new KvCacheManager(32, 16, true);
    int[] prompt = tokens(7, 48);
    prefill(kv, 1, prompt);
    assertEquals(32, kv.findCachedPrefix(prompt));
    assertEquals(48, kv.findCachedPrefix(concat(prompt, new int[] {1})));
    assertEquals(0, kv.findCachedPrefix(new int[] {7}));
  }

  @Test
  void differentEarlierBlockBreaksTheChain() {
    KvCacheManager kv = new KvCacheManager(32, 16, true);
    int[] a = concat(tokens(0, 16), tokens(100, 33));
    prefill(kv, 1, a);
    int[] b = concat(tokens(1, 16), tokens(100, 33)); // same second block, different first
    assertEquals(0, kv.findCachedPrefix(b));
  }

  @Test
  void evictsLeastRecentlyUsedCachedPrefixFirst() {
    KvCacheManager kv = new KvCacheManager(6, 16, true);
    int[] a = tokens(0, 33); // 3 blocks, 2 full
    int[] b = tokens(5000, 33);
    prefill(kv, 1, a);
    prefill(kv, 2, b);
    kv.free(1);
    kv.free(2);
    assertEquals(6, kv.numFreeBlocks());
    assertEquals(4, kv.numCachedBlocks());
    // Touch a again so b becomes the least recently used prefix.
    prefill(kv, 3, a);
    kv.free(3);
    // 4 new blocks: the 2 uncached blocks go first, then b's two cached blocks.
    assertTrue(kv.allocate(4, 64));
    assertEquals(32, kv.findCachedPrefix(a));
    assertEquals(0, kv.findCachedPrefix(b));
    assertEquals(2, kv.numEvictions());
  }

  @Test
  void reusingEvictableBlocksCountsAgainstFreeBlocks() {
    KvCacheManager kv = new KvCacheManager(4, 16, true);
    int[] a = tokens(0, 40);
    prefill(kv, 1, a);
    kv.free(1);
    int[] longer = concat(java.util.Arrays.copyOf(a, 32), tokens(900, 60)); // 92 tokens: 6 blocks
    CachedPrefix prefix = kv.findCachedPrefix(longer, longer.length);
    assertEquals(32, prefix.numTokens());
    assertFalse(kv.allocate(2, prefix, 60));
    assertEquals(4, kv.numFreeBlocks());
    assertEquals(32, kv.findCachedPrefix(longer), "a refused allocation evicts nothing");
  }

  @Test
  void sharedBlocksAreFreedWhenTheLastHolderLeaves() {
    KvCacheManager kv = new KvCacheManager(8, 4, true);
    int[] p = tokens(0, 9);
    prefill(kv, 1, p);
    prefill(kv, 2, p);
    assertEquals(3 + 1, kv.numUsedBlocks(), "two shared full blocks, two private tails");
    kv.free(1);
    assertEquals(3, kv.numUsedBlocks());
    kv.free(2);
    assertEquals(0, kv.numUsedBlocks());
    assertEquals(8, kv.numFreeBlocks());
  }

  @Test
  void noSharingWhenPrefixCachingIsOff() {
    KvCacheManager kv = new KvCacheManager(8, 4, false);
    prefill(kv, 1, tokens(0, 9));
    assertEquals(0, kv.findCachedPrefix(tokens(0, 9)));
    assertEquals(0, kv.numCachedBlocks());
  }

  @Test
  void blocksBehindTheWindowAreReleasedAsTheSequenceAdvances() {
    KvCacheManager kv = new KvCacheManager(16, 16, true, 32); // every query sees its last 32 positions
    int[] t = tokens(0, 120);
    assertTrue(kv.allocate(1, 100)); // 7 blocks
    kv.markComputed(1, t, 100);
    // The next query (position 100) sees 69..100: blocks 0-3 (positions 0-63) are behind it.
    int[] table = kv.blockTable(1);
    assertArrayEquals(new int[] {-1, -1, -1, -1}, java.util.Arrays.copyOf(table, 4));
    assertTrue(table[4] >= 0 && table[6] >= 0);
    assertEquals(3, kv.numUsedBlocks());
    assertEquals(6, kv.numCachedBlocks(), "the six full blocks, released or held, stay in the prefix cache");
    for (int n = 101; n <= 120; n++) {
      assertTrue(kv.allocate(1, 1));
      kv.markComputed(1, t, n);
    }
    // Next query at 120 sees 89..120: blocks 0-4 behind it, 5-7 held.
    assertEquals(KvCacheManager.RELEASED, kv.blockTable(1)[4]);
    assertEquals(3, kv.numUsedBlocks());
    kv.free(1);
    assertEquals(0, kv.numUsedBlocks());
    assertEquals(16, kv.numFreeBlocks(), "every block is free again, none released twice");
  }

  @Test
  void aCachedPrefixLongerThanThePoolCanSpareIsTakenOnlyWithinTheWindow() {
    KvCacheManager kv = new KvCacheManager(7, 16, true, 32);
    int[] t = tokens(0, 113);
    for (int n = 16; n <= 112; n += 16) { // 112 tokens in chunks, releasing as it goes: 7 full blocks, all cached
      assertTrue(kv.allocate(1, 16));
      kv.markComputed(1, t, n);
    }
    kv.free(1);
    assertEquals(7, kv.numCachedBlocks());
    // All 7 blocks are a cached prefix of t, but the last token must be computed: 7 blocks + 1 new > 7.
    CachedPrefix prefix = kv.findCachedPrefix(t, t.length);
    assertEquals(112, prefix.numTokens());
    assertTrue(kv.allocate(2, prefix, 1), "only the blocks the next query can see are taken");
    int[] table = kv.blockTable(2);
    assertEquals(8, table.length);
    // Position 112 sees 81..112: blocks 0-4 are behind it.
    assertArrayEquals(new int[] {-1, -1, -1, -1, -1}, java.util.Arrays.copyOf(table, 5));
    assertEquals(3, kv.numUsedBlocks());
    kv.markComputed(2, t, 113);
    kv.free(2);
    assertEquals(0, kv.numUsedBlocks());
    assertEquals(7, kv.numFreeBlocks(), "every block is free again, none released twice");
  }

  @Test
  void withoutAWindowEveryBlockStays() {
    KvCacheManager kv = new KvCacheManager(16, 16, false, 0);
    assertTrue(kv.allocate(1, 100));
    kv.markComputed(1, tokens(0, 100), 100);
    assertEquals(7, kv.numUsedBlocks());
    assertTrue(IntStream.of(kv.blockTable(1)).allMatch(b -> b >= 0));
  }

  @Test
  void poolComparesTokensOnLookup() {
    BlockPool pool = new BlockPool(2);
    int[] id = pool.takeFreeBlocks(1);
    BlockHash hash = BlockHash.of(BlockHash.ROOT, new int[] {1, 2}, 0, 2);
    assertTrue(pool.cache(id[0], hash, new int[] {1, 2}, 0, 2));
    assertEquals(id[0], pool.lookup(hash, new int[] {1, 2}, 0, 2));
    assertEquals(-1, pool.lookup(hash, new int[] {1, 3}, 0, 2), "same hash, other tokens: no sharing");
  }

  @Test
  void hashChainsTheParent() {
    int[] t = {1, 2, 3, 4};
    BlockHash h1 = BlockHash.of(BlockHash.ROOT, t, 0, 4);
    assertEquals(h1, BlockHash.of(BlockHash.ROOT, t.clone(), 0, 4));
    assertNotEquals(h1, BlockHash.of(h1, t, 0, 4));
    assertNotEquals(h1, BlockHash.of(BlockHash.ROOT, new int[] {1, 2, 3, 5}, 0, 4));
  }

  @Test
  void sizesThePoolFromAMemoryBudget() {
    long perBlock = KvCacheManager.bytesPerBlock(5, 4, 8, 16, 4); // stories260k-like, float32
    assertEquals(2L * 5 * 4 * 8 * 16 * 4, perBlock);
    assertEquals(100, KvCacheManager.numBlocksForBudget(100 * perBlock + perBlock - 1, perBlock));
    assertEquals(0, KvCacheManager.numBlocksForBudget(-5, perBlock));
  }
}
