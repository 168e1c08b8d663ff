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
    assertArrayEquals(range(12, 7, 9), visible(decodes.windowMask(), 0, 12));
    assertArrayEquals(range(12, 0, 2), visible(decodes.windowMask(), 1, 12));
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
}
