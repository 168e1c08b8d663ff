package dev.robin.serving.router;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which replica last got a prompt prefix: a router's bounded memory of where the prefix caches are likely warm.
 * Not thread-safe (one router actor owns it).
 *
 * <p>A prefix is named like the replicas' prefix caches name their blocks, by a hash chained over the prompt's full
 * KV blocks: the hash at depth {@code d} covers the first {@code d} blocks, so equal hashes mean equal prefixes (not
 * just an equal block). Which depths:
 *
 * <ul>
 *   <li>Looked up: every depth a replica could reuse ({@code (length - 1) / blockSize}: its engine always computes
 *       the last prompt token), deepest remembered first. The deepest match is the replica holding the most of the
 *       prompt: a conversation's next turn finds its own replica, not just any replica that saw its system prompt.
 *   <li>Remembered: the powers of two up to the prompt's full blocks, and all of them ({@code length / blockSize},
 *       the blocks the replica will cache). The whole prompt is what the next turn of its conversation starts with;
 *       the powers of two are shallower anchors, so a new prompt sharing only a long system prompt still finds a
 *       replica with at least half of that shared part. Remembering every depth would make a long prompt evict
 *       hundreds of other prompts' entries; this costs at most {@code log2(blocks) + 2} entries per request.
 * </ul>
 *
 * <p>The hash is a fast 64-bit one, not the engine's SHA-256 {@code BlockHash}: a collision here only sends a
 * request to a replica that lacks its prefix (a cache miss, never a wrong answer), and the router hashes every
 * prompt on its one thread. The entries are kept in least-recently-used order: a prefix found again is kept
 * longer, and past {@code capacity} entries the least recently used one is forgotten.
 *
 * @param <R> what a replica is (an actor ref in the router, anything in tests)
 */
final class PrefixAffinity<R> {

  /** A prompt's chain hashes: {@code chain[d - 1]} covers its first {@code d} full blocks. */
  static final class Prefix {
    private static final Prefix NONE = new Prefix(new long[0], 0);

    private final long[] chain;
    private final int reusableBlocks;

    private Prefix(long[] chain, int reusableBlocks) {
      this.chain = chain;
      this.reusableBlocks = reusableBlocks;
    }

    /** Full blocks a replica holding them could reuse for this prompt (0: route by load only). */
    int reusableBlocks() {
      return reusableBlocks;
    }
  }

  private final int blockSize;
  private final int capacity;
  private final LinkedHashMap<Long, R> replicaByPrefix;

  /**
   * @param blockSize tokens per KV block, as the replicas' schedulers use
   * @param capacity most prefixes remembered; 0 remembers nothing (prefix caching off)
   */
  PrefixAffinity(int blockSize, int capacity) {
    if (blockSize < 1 || capacity < 0) {
      throw new IllegalArgumentException("blockSize " + blockSize + ", capacity " + capacity);
    }
    this.blockSize = blockSize;
    this.capacity = capacity;
    this.replicaByPrefix = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, R> eldest) {
        return size() > PrefixAffinity.this.capacity;
      }
    };
  }

  /** The chain hashes of {@code promptIds}' full blocks. */
  Prefix prefixOf(int[] promptIds) {
    int fullBlocks = promptIds.length / blockSize;
    if (capacity == 0 || fullBlocks == 0) {
      return Prefix.NONE;
    }
    long[] chain = new long[fullBlocks];
    long state = 0x243F6A8885A308D3L;
    for (int block = 0; block < fullBlocks; block++) {
      for (int i = block * blockSize, end = i + blockSize; i < end; i++) {
        state = Long.rotateLeft((state ^ (promptIds[i] & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L, 29);
      }
      chain[block] = mix(state);
    }
    return new Prefix(chain, (promptIds.length - 1) / blockSize);
  }

  /** The replica remembered for the deepest reusable part of {@code prefix}, or null. */
  R lookup(Prefix prefix) {
    for (int depth = prefix.reusableBlocks; depth >= 1; depth--) {
      R replica = replicaByPrefix.get(prefix.chain[depth - 1]);
      if (replica != null) {
        return replica;
      }
    }
    return null;
  }

  /** Remembers that {@code replica} got {@code prefix} (and so will hold its blocks). */
  void remember(Prefix prefix, R replica) {
    int fullBlocks = prefix.chain.length;
    for (int depth = 1; depth < fullBlocks; depth <<= 1) {
      replicaByPrefix.put(prefix.chain[depth - 1], replica);
    }
    if (fullBlocks > 0) {
      replicaByPrefix.put(prefix.chain[fullBlocks - 1], replica); // last, so the most recently used
    }
  }

  /** Forgets every prefix remembered for a replica not in {@code replicas}. */
  void retainReplicas(Collection<R> replicas) {
    replicaByPrefix.values().removeIf(replica -> !replicas.contains(replica));
  }

  /** Prefixes remembered now (at most the capacity). */
  int size() {
    return replicaByPrefix.size();
  }

  /** Murmur3's 64-bit finalizer: every bit of the state affects every bit of the key. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
