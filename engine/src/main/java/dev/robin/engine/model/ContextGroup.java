package dev.robin.engine.model;

import dev.robin.engine.scheduler.SequenceChunk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chunks of a step whose attention is computed together: decode chunks (one token each) batch into one
 * group, every prompt chunk gets its own. A group gathers its chunks' contexts as whole blocks and masks what
 * each query row may not see.
 *
 * <p>When every layer slides (Mistral), a chunk gathers only the blocks holding a position one of its queries can
 * see: from the block of its first query's window start, {@code max(0, start - window + 1) / blockSize}, to the
 * block of its last position, and its mask is laid out from that first block. When some layer attends to the
 * whole context (no window, or Qwen2 with full-attention layers) every chunk gathers its whole context from
 * block 0: those layers need it, and one gather per group serves every layer.
 *
 * <p>Why groups: padding a 512-token prompt chunk and 64 decode tokens into one query grid would compute
 * 64 x 512 query rows; separate groups compute exactly the rows that exist. And the gathered context is the
 * one large allocation of a step: glibc serves allocations above 32 MB with a fresh mmap whose page faults
 * make such a gather several times slower per byte (docs/benchmarks.md, "Early profiles and measurements"), so
 * decode groups are capped in gathered bytes (each group also pads only to its own longest context).
 *
 * @param chunkIndices the group's chunks, as indices into the step's plan
 * @param numNew tokens per chunk (1 for decode groups; the chunk's length for a prompt chunk)
 * @param maskRows query rows per chunk: 1 for decode groups (broadcast over the heads sharing a KV head), else
 *     {@code numNew * queriesPerKv} in (token, head) order
 * @param queryRows {@code [S_g * numNew]} rows of the step's token matrix, in group order
 * @param blocksPerSequence blocks of the group's longest gathered span (nb)
 * @param firstBlocks per chunk, the index into its block table of its first gathered block (0 unless every
 *     layer slides); position {@code firstBlocks[s] * blockSize} is column 0 of its mask
 * @param contextRows {@code [S_g, kvHeads, nb]} cache rows {@code head * numBlocks + block}; padding repeats
 *     the chunk's first gathered block (masked)
 * @param mask {@code [S_g, maskRows, nb * blockSize]}: 0 where the query row may look (every position up to
 *     its own), -inf elsewhere; null when no layer attends to the whole context
 * @param windowMask the same for sliding-window layers (only the last {@code window} positions up to the
 *     query's own); null when the model has no window, the very array {@code mask} when the window hides
 *     nothing in this group
 */
record ContextGroup(
    int[] chunkIndices, int numNew, int maskRows, long[] queryRows, int blocksPerSequence, int[] firstBlocks,
    long[] contextRows, float[] mask, float[] windowMask) {

  /** Largest gather per decode group, in bytes: well below glibc's 32 MB mmap ceiling. */
  static final long MAX_GATHER_BYTES = 24L << 20;

  int numChunks() {
    return chunkIndices.length;
  }

  /**
   * The first block of a lone chunk whose context blocks are consecutive in the cache (then its context is a
   * view of the cache, no gather needed), else -1.
   */
  int consecutiveFirstBlock() {
    if (chunkIndices.length != 1) {
      return -1;
    }
    long first = contextRows[0]; // KV head 0: the row is the block
    for (int b = 1; b < blocksPerSequence; b++) {
      if (contextRows[b] != first + b) {
        return -1;
      }
    }
    return (int) first;
  }

  /**
   * Splits the step's chunks into groups: runs of decode chunks within the gather cap, then each prompt chunk.
   *
   * @param rowBytes bytes of one cache row (one block of one KV head)
   * @param maxGatherBytes cap on a decode group's gather
   */
  static List<ContextGroup> plan(List<SequenceChunk> chunks, int blockSize, int numBlocks, int kvHeads,
      long rowBytes, int queriesPerKv, long maxGatherBytes) {
    return plan(chunks, blockSize, numBlocks, kvHeads, rowBytes, queriesPerKv, maxGatherBytes,
        new AttentionWindow(0, new boolean[0], true));
  }

  /** As above, with the masks {@code window} needs. */
  static List<ContextGroup> plan(List<SequenceChunk> chunks, int blockSize, int numBlocks, int kvHeads,
      long rowBytes, int queriesPerKv, long maxGatherBytes, AttentionWindow window) {
    int[] firstRow = new int[chunks.size()];
    int row = 0;
    List<Integer> decode = new ArrayList<>();
    List<Integer> prompt = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      firstRow[i] = row;
      row += chunks.get(i).numTokens();
      (chunks.get(i).numTokens() == 1 ? decode : prompt).add(i);
    }
    List<ContextGroup> groups = new ArrayList<>();
    int first = 0;
    while (first < decode.size()) {
      int end = first;
      int nb = 0;
      while (end < decode.size()) {
        SequenceChunk c = chunks.get(decode.get(end));
        int nbWith = Math.max(nb, blocks(c, blockSize) - firstBlock(c, blockSize, window));
        if (end > first && (long) kvHeads * (end - first + 1) * nbWith * rowBytes > maxGatherBytes) {
          break;
        }
        nb = nbWith;
        end++;
      }
      int[] members = decode.subList(first, end).stream().mapToInt(Integer::intValue).toArray();
      groups.add(build(chunks, members, firstRow, 1, nb, blockSize, numBlocks, kvHeads, queriesPerKv, window));
      first = end;
    }
    for (int i : prompt) {
      SequenceChunk c = chunks.get(i);
      int nb = blocks(c, blockSize) - firstBlock(c, blockSize, window);
      groups.add(build(chunks, new int[] {i}, firstRow, c.numTokens(), nb, blockSize, numBlocks, kvHeads,
          queriesPerKv, window));
    }
    return groups;
  }

  private static ContextGroup build(List<SequenceChunk> chunks, int[] members, int[] firstRow, int numNew, int nb,
      int blockSize, int numBlocks, int kvHeads, int queriesPerKv, AttentionWindow window) {
    int count = members.length;
    int maskRows = numNew == 1 ? 1 : numNew * queriesPerKv;
    long[] queryRows = new long[count * numNew];
    long[] rows = new long[kvHeads * count * nb];
    int[] firstBlocks = new int[count];
    int lastPosition = 0;
    for (int s = 0; s < count; s++) {
      SequenceChunk c = chunks.get(members[s]);
      lastPosition = Math.max(lastPosition, c.contextLength() - 1);
      for (int i = 0; i < numNew; i++) {
        queryRows[s * numNew + i] = firstRow[members[s]] + i;
      }
      int[] table = c.blockTable();
      int from = firstBlock(c, blockSize, window);
      firstBlocks[s] = from;
      int used = blocks(c, blockSize) - from;
      for (int b = 0; b < nb; b++) {
        long block = table[from + (b < used ? b : 0)];
        for (int h = 0; h < kvHeads; h++) {
          rows[(s * kvHeads + h) * nb + b] = (long) h * numBlocks + block;
        }
      }
    }
    // A query at position q loses keys to the window only when q - window >= 0.
    boolean windowHides = !window.none() && lastPosition >= window.size();
    float[] full = !windowHides || window.anyFullLayer()
        ? mask(chunks, members, firstBlocks, blockSize, maskRows, nb * blockSize, queriesPerKv, Integer.MAX_VALUE)
        : null;
    float[] windowed = window.none() ? null
        : windowHides
            ? mask(chunks, members, firstBlocks, blockSize, maskRows, nb * blockSize, queriesPerKv, window.size())
        : full;
    return new ContextGroup(members, numNew, maskRows, queryRows, nb, firstBlocks, rows, full, windowed);
  }

  /**
   * {@code [S_g, maskRows, ctx]}: 0 where query row may look, -inf elsewhere. The query at position {@code q}
   * sees positions {@code p} with {@code q - window < p <= q}, as transformers' sliding_window_overlay
   * ({@code kv_idx > q_idx - sliding_window}) and causal_mask_function ({@code kv_idx <= q_idx}) in
   * masking_utils.py; {@code Integer.MAX_VALUE} gives the plain causal mask. Chunk {@code s}'s column 0 is
   * position {@code firstBlocks[s] * blockSize}.
   */
  private static float[] mask(List<SequenceChunk> chunks, int[] members, int[] firstBlocks, int blockSize,
      int maskRows, int ctx, int queriesPerKv, int window) {
    float[] mask = new float[members.length * maskRows * ctx];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int s = 0; s < members.length; s++) {
      SequenceChunk c = chunks.get(members[s]);
      for (int q = 0; q < maskRows; q++) {
        int i = maskRows == 1 ? 0 : q / queriesPerKv;
        // columns 0..q: token i sees every gathered position up to its own
        int visible = c.startPosition() + i + 1 - firstBlocks[s] * blockSize;
        int base = (s * maskRows + q) * ctx;
        Arrays.fill(mask, base + Math.max(0, visible - window), base + visible, 0f);
      }
    }
    return mask;
  }

  /**
   * Index into {@code c}'s block table of the first block it gathers: the block of its first query's window
   * start when every layer slides, else 0 (a full-attention layer needs the whole context).
   */
  static int firstBlock(SequenceChunk c, int blockSize, AttentionWindow window) {
    if (window.none() || window.anyFullLayer()) {
      return 0;
    }
    return Math.max(0, c.startPosition() - window.size() + 1) / blockSize;
  }

  private static int blocks(SequenceChunk c, int blockSize) {
    return (c.contextLength() + blockSize - 1) / blockSize;
  }
}
