package dev.robin.engine.model;

import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The host-side index arrays of one step, built once and shared by every layer: the flattened tokens, their
 * cache slots, the rotary tables per token, the context gather indices with their mask, and the rows whose
 * logits are wanted. Validates the plan first, so a bad plan fails with a message instead of a native error.
 *
 * <p>Attention runs in {@link ContextGroup}s against the whole blocks of each chunk's context (only those its
 * window reaches when every layer slides); the mask hides positions beyond each query's own (and, in
 * sliding-window layers, those before its window). When the groups'
 * rows are not simply the step's rows in order (prompt chunks next to decode chunks), queries are gathered per
 * group and the outputs put back in token order.
 */
final class StepInputs {

  final int blockSize;
  final int numTokens; // T
  final int numChunks; // S
  final long[] tokenIds; // [T]
  final long[] slotBlocks; // [T] cache block of each new token
  final long[] slotOffsets; // [T] offset in its block
  final float[] ropeCos; // [T, ropeWidth] cos per element; 1 on value heads
  final float[] ropeSin; // [T, ropeWidth] signed sin for rotate-half; 0 on value heads
  final List<ContextGroup> groups; // chunks attending together
  final boolean inOrder; // the groups' query rows, concatenated, are exactly rows 0..T-1
  final long[] outputRows; // [T] row of each token in the concatenated group outputs, or null when inOrder
  final long[] logitRows; // [R] rows whose logits are wanted, or null when R == T
  final long[] logitSequenceIds; // [R]

  StepInputs(StepPlan plan, LlamaShape shape, RopeTables rope, int blockSize, int numBlocks, int dtypeBytes,
      long maxGatherBytes, AttentionWindow window) {
    List<SequenceChunk> chunks = plan.chunks();
    validate(chunks, shape, rope, blockSize, numBlocks, window);
    this.blockSize = blockSize;
    numChunks = chunks.size();
    int t = 0;
    int numLogits = 0;
    for (SequenceChunk c : chunks) {
      t += c.numTokens();
      numLogits += c.wantsLogits() ? 1 : 0;
    }
    numTokens = t;
    tokenIds = new long[t];
    slotBlocks = new long[t];
    slotOffsets = new long[t];
    int width = shape.ropeWidth();
    ropeCos = new float[t * width];
    ropeSin = new float[t * width];
    logitSequenceIds = new long[numLogits];
    long[] logits = new long[numLogits];
    int row = 0;
    int r = 0;
    for (int s = 0; s < numChunks; s++) {
      SequenceChunk c = chunks.get(s);
      int[] table = c.blockTable();
      for (int i = 0; i < c.numTokens(); i++) {
        int pos = c.startPosition() + i;
        tokenIds[row + i] = c.tokenIds()[i];
        slotBlocks[row + i] = table[pos / blockSize];
        slotOffsets[row + i] = pos % blockSize;
        fillRope(rope, shape, pos, (row + i) * width);
      }
      row += c.numTokens();
      if (c.wantsLogits()) {
        logits[r] = row - 1;
        logitSequenceIds[r++] = c.sequenceId();
      }
    }
    logitRows = numLogits == t ? null : logits;
    long rowBytes = 2L * blockSize * shape.headDim() * dtypeBytes;
    groups = ContextGroup.plan(
        chunks, blockSize, numBlocks, shape.numKvHeads(), rowBytes, shape.queriesPerKv(), maxGatherBytes, window);
    long[] out = new long[t];
    boolean ordered = true;
    int at = 0;
    for (ContextGroup g : groups) {
      for (long tokenRow : g.queryRows()) {
        out[(int) tokenRow] = at;
        ordered &= tokenRow == at;
        at++;
      }
    }
    inOrder = ordered;
    outputRows = ordered ? null : out;
  }

  private void fillRope(RopeTables rope, LlamaShape shape, int pos, int at) {
    int d = shape.headDim();
    int half = d / 2;
    int rotated = shape.numRotatedHeads();
    for (int h = 0; h < rotated; h++) {
      int base = at + h * d;
      for (int j = 0; j < half; j++) {
        float cos = rope.cos(pos, j);
        float sin = rope.sin(pos, j);
        // rotate_half(x)[j] = -x[j + half] in the first half, x[j - half] in the second: the gather
        // supplies x[j ± half], the sign lives in the sin table.
        ropeCos[base + j] = cos;
        ropeSin[base + j] = -sin;
        ropeCos[base + half + j] = cos;
        ropeSin[base + half + j] = sin;
      }
    }
    int end = at + shape.ropeWidth();
    for (int i = at + rotated * d; i < end; i++) {
      ropeCos[i] = 1f; // value heads pass through unrotated
    }
  }

  private static void validate(
      List<SequenceChunk> chunks, LlamaShape shape, RopeTables rope, int blockSize, int numBlocks,
      AttentionWindow window) {
    Set<Long> seen = new HashSet<>();
    for (SequenceChunk c : chunks) {
      String who = "sequence " + c.sequenceId() + ": ";
      if (!seen.add(c.sequenceId())) {
        throw new IllegalArgumentException(who + "appears twice in one step");
      }
      if (c.tokenIds() == null || c.tokenIds().length == 0) {
        throw new IllegalArgumentException(who + "chunk has no tokens");
      }
      if (c.startPosition() < 0) {
        throw new IllegalArgumentException(who + "negative start position " + c.startPosition());
      }
      if (c.contextLength() > rope.maxPositions()) {
        throw new IllegalArgumentException(
            who + "context of " + c.contextLength() + " exceeds the model's " + rope.maxPositions() + " positions");
      }
      for (int id : c.tokenIds()) {
        if (id < 0 || id >= shape.vocabSize()) {
          throw new IllegalArgumentException(who + "token id " + id + " outside vocabulary of " + shape.vocabSize());
        }
      }
      int needed = (c.contextLength() + blockSize - 1) / blockSize;
      int[] table = c.blockTable();
      if (table == null || table.length < needed) {
        throw new IllegalArgumentException(
            who + "block table has " + (table == null ? 0 : table.length) + " blocks, context of "
                + c.contextLength() + " needs " + needed);
      }
      // Blocks wholly behind every layer's window are never read, and their ids may already be released (-1).
      for (int b = ContextGroup.firstBlock(c, blockSize, window); b < needed; b++) {
        if (table[b] < 0 || table[b] >= numBlocks) {
          throw new IllegalArgumentException(who + "block id " + table[b] + " outside [0, " + numBlocks + ")");
        }
      }
    }
  }
}
