package dev.robin.engine.model;

import dev.robin.engine.scheduler.SequenceChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run of consecutive chunks whose attention is computed together: the cache rows to gather for their
 * contexts and the additive mask over them.
 *
 * <p>Why groups: the gathered context is the one large allocation of a step, and glibc serves allocations
 * above 32 MB with a fresh mmap, whose page faults made a 38 MB gather 3x slower per byte than a 28 MB one.
 * Capping each group's gather keeps it in reusable heap memory; each group also pads only to its own longest
 * context.
 *
 * @param firstChunk index of the group's first chunk in the step
 * @param numChunks chunks in the group (S_g)
 * @param blocksPerSequence blocks of the group's longest context (nb)
 * @param contextRows {@code [kvHeads, S_g, nb]} cache rows {@code head * numBlocks + block}; padding repeats
 *     the chunk's first block (masked)
 * @param mask {@code [S_g, maskRows, nb * blockSize]}: 0 where the query row may look, -inf elsewhere
 */
record ContextGroup(int firstChunk, int numChunks, int blocksPerSequence, long[] contextRows, float[] mask) {

  /** Largest gather per group, in bytes: well below glibc's 32 MB mmap ceiling. */
  static final long MAX_GATHER_BYTES = 24L << 20;

  /**
   * Splits the step's chunks into groups in order.
   *
   * @param rowBytes bytes of one cache row (one block of one KV head)
   * @param maskRows 1 when every chunk has one token, else {@code maxNew * queriesPerKv}
   * @param maxGatherBytes cap on a group's gather (a single chunk may exceed it)
   */
  static List<ContextGroup> plan(List<SequenceChunk> chunks, int blockSize, int numBlocks, int kvHeads,
      long rowBytes, int maskRows, int queriesPerKv, long maxGatherBytes) {
    List<ContextGroup> groups = new ArrayList<>();
    int first = 0;
    while (first < chunks.size()) {
      int end = first;
      int nb = 0;
      while (end < chunks.size()) {
        int nbWith = Math.max(nb, blocks(chunks.get(end), blockSize));
        long bytes = (long) kvHeads * (end - first + 1) * nbWith * rowBytes;
        if (end > first && bytes > maxGatherBytes) {
          break;
        }
        nb = nbWith;
        end++;
      }
      groups.add(build(chunks, first, end, nb, blockSize, numBlocks, kvHeads, maskRows, queriesPerKv));
      first = end;
    }
    return groups;
  }

  private static ContextGroup build(List<SequenceChunk> chunks, int first, int end, int nb, int blockSize,
      int numBlocks, int kvHeads, int maskRows, int queriesPerKv) {
    int count = end - first;
    int ctx = nb * blockSize;
    long[] rows = new long[kvHeads * count * nb];
    float[] mask = new float[count * maskRows * ctx];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int s = 0; s < count; s++) {
      SequenceChunk c = chunks.get(first + s);
      int[] table = c.blockTable();
      int used = blocks(c, blockSize);
      for (int b = 0; b < nb; b++) {
        long block = table[b < used ? b : 0];
        for (int h = 0; h < kvHeads; h++) {
          rows[(h * count + s) * nb + b] = (long) h * numBlocks + block;
        }
      }
      for (int q = 0; q < maskRows; q++) {
        int i = maskRows == 1 ? 0 : q / queriesPerKv;
        // Token i sees positions up to its own; grid rows past the chunk's tokens see position 0 only.
        int visible = i < c.numTokens() ? c.startPosition() + i + 1 : 1;
        int base = (s * maskRows + q) * ctx;
        Arrays.fill(mask, base, base + visible, 0f);
      }
    }
    return new ContextGroup(first, count, nb, rows, mask);
  }

  private static int blocks(SequenceChunk c, int blockSize) {
    return (c.contextLength() + blockSize - 1) / blockSize;
  }
}
