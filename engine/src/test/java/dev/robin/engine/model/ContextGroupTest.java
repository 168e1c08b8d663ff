package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.robin.engine.scheduler.SequenceChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a step's chunks are split into attention groups. */
class ContextGroupTest {

  private static final int BLOCK = 4;
  private static final long ROW_BYTES = 2L * BLOCK * 16 * 4;

  private static SequenceChunk decode(long id, int position, int... table) {
    return new SequenceChunk(id, new int[] {1}, position, table, true);
  }

  @Test
  void decodeChunksBatchTogetherAndPromptChunksStandAlone() {
    List<SequenceChunk> chunks = List.of(
        decode(1, 5, 0, 1),
        new SequenceChunk(2, new int[] {1, 2, 3}, 0, new int[] {9}, true),
        decode(3, 2, 40));
    List<ContextGroup> groups = ContextGroup.plan(chunks, BLOCK, 64, 2, ROW_BYTES, 3, 1 << 20);
    assertEquals(2, groups.size());
    assertArrayEquals(new int[] {0, 2}, groups.get(0).chunkIndices());
    assertArrayEquals(new long[] {0, 4}, groups.get(0).queryRows()); // token rows of the two decodes
    assertEquals(1, groups.get(0).maskRows());
    assertArrayEquals(new int[] {1}, groups.get(1).chunkIndices());
    assertEquals(3 * 3, groups.get(1).maskRows()); // 3 tokens x 3 query heads per KV head
    assertArrayEquals(new long[] {1, 2, 3}, groups.get(1).queryRows());
  }

  @Test
  void gatherCapSplitsDecodeGroups() {
    List<SequenceChunk> chunks = List.of(decode(1, 3, 0), decode(2, 3, 1), decode(3, 3, 2));
    long oneSequence = 2 * ROW_BYTES; // 2 KV heads x 1 block
    List<ContextGroup> groups = ContextGroup.plan(chunks, BLOCK, 8, 2, ROW_BYTES, 1, 2 * oneSequence);
    assertEquals(2, groups.size());
    assertEquals(2, groups.get(0).numChunks());
    assertEquals(1, groups.get(1).numChunks());
  }

  /** Position p of a mask row: true where the query may look. */
  private static boolean[] visible(float[] mask, int row, int ctx) {
    boolean[] v = new boolean[ctx];
    for (int p = 0; p < ctx; p++) {
      v[p] = mask[row * ctx + p] == 0f;
    }
    return v;
  }

  private static boolean[] range(int ctx, int from, int to) {
    boolean[] v = new boolean[ctx];
    for (int p = from; p <= to; p++) {
      v[p] = true;
    }
    return v;
  }

  @Test
  void noWindowBuildsOnlyTheCausalMask() {
    List<ContextGroup> groups = ContextGroup.plan(List.of(decode(1, 9, 0, 1, 2)), BLOCK, 8, 2, ROW_BYTES, 1, 1 << 20);
    assertNull(groups.get(0).windowMask());
    assertArrayEquals(range(12, 0, 9), visible(groups.get(0).mask(), 0, 12));
  }

  /** Window 3: the query at position q sees q-2, q-1 and q (transformers: kv_idx > q_idx - 3, kv_idx <= q_idx). */
  @Test
  void windowMaskKeepsTheLastWindowPositions() {
    AttentionWindow everyLayer = new AttentionWindow(3, new boolean[] {true, true}, false);
    List<SequenceChunk> chunks = List.of(
        decode(1, 9, 0, 1, 2), // position 9: sees 7, 8, 9
        decode(2, 2, 3), // position 2: the window hides nothing yet
        new SequenceChunk(3, new int[] {1, 2, 3}, 4, new int[] {4, 5}, true)); // positions 4-6
    List<ContextGroup> groups = ContextGroup.plan(chunks, BLOCK, 8, 2, ROW_BYTES, 2, 1 << 20, everyLayer);
    ContextGroup decodes = groups.get(0);
    assertNull(decodes.mask(), "no layer attends to everything: no causal mask");
    // Every layer slides, so position 9 gathers from block (9 - 3 + 1) / 4 = 1 on: columns 0-7 are positions 4-11.
    assertArrayEquals(new int[] {1, 0}, decodes.firstBlocks());
    assertArrayEquals(range(8, 3, 5), visible(decodes.windowMask(), 0, 8));
    assertArrayEquals(range(8, 0, 2), visible(decodes.windowMask(), 1, 8));
    ContextGroup prompt = groups.get(1);
    for (int token = 0; token < 3; token++) {
      for (int head = 0; head < 2; head++) { // rows in (token, head) order
        int q = 4 + token;
        assertArrayEquals(range(8, q - 2, q), visible(prompt.windowMask(), token * 2 + head, 8), "position " + q);
      }
    }
  }

  @Test
  void windowThatHidesNothingSharesTheCausalMask() {
    AttentionWindow lastLayer = new AttentionWindow(3, new boolean[] {false, true}, true);
    List<ContextGroup> short_ = ContextGroup.plan(
        List.of(decode(1, 2, 0)), BLOCK, 8, 2, ROW_BYTES, 1, 1 << 20, lastLayer);
    assertSame(short_.get(0).mask(), short_.get(0).windowMask());
    List<ContextGroup> long_ = ContextGroup.plan(
        List.of(decode(1, 3, 0)), BLOCK, 8, 2, ROW_BYTES, 1, 1 << 20, lastLayer);
    assertArrayEquals(range(4, 0, 3), visible(long_.get(0).mask(), 0, 4), "the full layer's mask");
    assertArrayEquals(range(4, 1, 3), visible(long_.get(0).windowMask(), 0, 4));
  }

  private static int[] contiguous(int first, int count) {
    int[] table = new int[count];
    for (int b = 0; b < count; b++) {
      table[b] = first + b;
    }
    return table;
  }

  private static final AttentionWindow MISTRAL_7 = new AttentionWindow(7, new boolean[] {true, true}, false);

  /** Position 40, window 7: keys 34..40, in blocks 34 / 4 = 8 to 40 / 4 = 10; blocks 0..7 are not gathered. */
  @Test
  void allSlidingDecodeGathersOnlyTheBlocksItsWindowReaches() {
    int[] table = contiguous(20, 11); // blocks 20..30 hold positions 0..43
    List<ContextGroup> groups = ContextGroup.plan(
        List.of(decode(1, 40, table)), BLOCK, 64, 2, ROW_BYTES, 1, 1 << 20, MISTRAL_7);
    ContextGroup g = groups.get(0);
    assertEquals(3, g.blocksPerSequence());
    assertArrayEquals(new int[] {8}, g.firstBlocks());
    assertArrayEquals(new long[] {28, 29, 30, 64 + 28, 64 + 29, 64 + 30}, g.contextRows()); // [1, kvHeads, nb]
    assertArrayEquals(range(12, 34 - 32, 40 - 32), visible(g.windowMask(), 0, 12));
    assertEquals(28, g.consecutiveFirstBlock(), "a lone consecutive span is still a view of the cache");
  }

  /** Positions 20..36 cross two windows; the first query (20) sees 14..20, so the gather starts at block 3. */
  @Test
  void allSlidingPromptChunkGathersFromItsFirstQuerysWindowStart() {
    int[] tokens = new int[17];
    int[] table = {9, 3, 7, 1, 40, 41, 42, 43, 50, 51};
    SequenceChunk chunk = new SequenceChunk(1, tokens, 20, table, true);
    ContextGroup g = ContextGroup.plan(List.of(chunk), BLOCK, 64, 2, ROW_BYTES, 2, 1 << 20, MISTRAL_7).get(0);
    assertArrayEquals(new int[] {3}, g.firstBlocks());
    assertEquals(7, g.blocksPerSequence()); // blocks 3..9
    assertArrayEquals(new long[] {1, 40, 41, 42, 43, 50, 51, 65, 104, 105, 106, 107, 114, 115}, g.contextRows());
    assertEquals(-1, g.consecutiveFirstBlock());
    int ctx = 7 * BLOCK;
    for (int token = 0; token < 17; token++) {
      for (int head = 0; head < 2; head++) {
        int q = 20 + token;
        assertArrayEquals(range(ctx, q - 6 - 12, q - 12), visible(g.windowMask(), token * 2 + head, ctx),
            "position " + q);
      }
    }
  }

  /** A decode group pads shorter spans to its longest; each chunk's mask starts at its own first block. */
  @Test
  void allSlidingDecodeGroupPadsEachSpanToTheLongest() {
    List<SequenceChunk> chunks = List.of(
        decode(1, 40, contiguous(0, 11)), // blocks 8..10
        decode(2, 13, contiguous(20, 4))); // keys 7..13: blocks 1..3
    ContextGroup g = ContextGroup.plan(chunks, BLOCK, 64, 1, ROW_BYTES, 1, 1 << 20, MISTRAL_7).get(0);
    assertArrayEquals(new int[] {8, 1}, g.firstBlocks());
    assertEquals(3, g.blocksPerSequence());
    assertArrayEquals(new long[] {8, 9, 10, 21, 22, 23}, g.contextRows());
    assertArrayEquals(range(12, 2, 8), visible(g.windowMask(), 0, 12));
    assertArrayEquals(range(12, 3, 9), visible(g.windowMask(), 1, 12));
  }

  /**
   * Without a window, and with a window on only some layers (Qwen2), every chunk gathers its whole context from
   * block 0 and the causal mask is the one laid out from position 0, exactly as before windows were trimmed.
   */
  @Test
  void noWindowAndMixedModelsGatherTheWholeContext() {
    List<SequenceChunk> chunks = List.of(
        decode(1, 40, contiguous(0, 11)),
        decode(2, 13, 30, 31, 32, 33),
        new SequenceChunk(3, new int[] {1, 2, 3, 4, 5, 6}, 20, contiguous(40, 7), true));
    AttentionWindow none = new AttentionWindow(0, new boolean[2], true);
    AttentionWindow mixed = new AttentionWindow(7, new boolean[] {false, true}, true);
    List<ContextGroup> plain = ContextGroup.plan(chunks, BLOCK, 64, 1, ROW_BYTES, 2, 1 << 20);
    for (AttentionWindow w : new AttentionWindow[] {none, mixed}) {
      List<ContextGroup> groups = ContextGroup.plan(chunks, BLOCK, 64, 1, ROW_BYTES, 2, 1 << 20, w);
      assertEquals(plain.size(), groups.size());
      for (int i = 0; i < groups.size(); i++) {
        assertArrayEquals(plain.get(i).contextRows(), groups.get(i).contextRows());
        assertArrayEquals(plain.get(i).mask(), groups.get(i).mask());
        assertEquals(plain.get(i).blocksPerSequence(), groups.get(i).blocksPerSequence());
      }
    }
    ContextGroup decodes = plain.get(0);
    assertArrayEquals(new int[] {0, 0}, decodes.firstBlocks());
    assertEquals(11, decodes.blocksPerSequence());
    long[] rows = new long[22];
    for (int b = 0; b < 11; b++) {
      rows[b] = b;
      rows[11 + b] = b < 4 ? 30 + b : 30; // padding repeats the first block
    }
    assertArrayEquals(rows, decodes.contextRows());
    assertArrayEquals(range(44, 0, 40), visible(decodes.mask(), 0, 44));
    assertArrayEquals(range(44, 0, 13), visible(decodes.mask(), 1, 44));
    ContextGroup prompt = plain.get(1);
    assertArrayEquals(new long[] {40, 41, 42, 43, 44, 45, 46}, prompt.contextRows());
    for (int token = 0; token < 6; token++) {
      assertArrayEquals(range(28, 0, 20 + token), visible(prompt.mask(), token * 2, 28));
    }
  }
}
