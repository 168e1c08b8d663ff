package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
