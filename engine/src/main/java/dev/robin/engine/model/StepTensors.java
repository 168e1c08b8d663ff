package dev.robin.engine.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** A step's {@link StepInputs} on the device, created once in the step's manager and read by every layer. */
final class StepTensors {

  final StepInputs in;
  final PtNDArray tokens; // [T] int64
  final NDIndex slots; // (:, [T] block, [T] offset) int64 index for the in-place cache write
  final PtNDArray ropeCos; // [T, ropeWidth] compute dtype
  final PtNDArray ropeSin; // [T, ropeWidth] compute dtype
  final PtNDArray partners; // [T, ropeWidth] int64 rotate-half partner (broadcast view)
  final PtNDArray[] contextRows; // [groups][S_g, kvHeads, nb_g] int64 cache rows (head * numBlocks + block)
  final int[] consecutiveFirstBlocks; // [groups] first block of a lone chunk's consecutive context, else -1
  final PtNDArray[] masks; // [groups][S_g, 1, 1, maskRows_g, nb_g * blockSize] float32; null if no full layer
  final PtNDArray[] windowMasks; // the same for sliding-window layers, or null when the model has no window
  final PtNDArray[] queryRows; // [groups][S_g * numNew_g] int64 token rows; null for a single in-order group
  final PtNDArray outputRows; // [T] int64, or null when in order
  final PtNDArray logitRows; // [R] int64, or null

  StepTensors(
      StepInputs in, NDManager step, DataType dtype, PtNDArray partnerRow, int ropeWidth, boolean windowed) {
    this.in = in;
    int t = in.numTokens;
    tokens = longs(step, in.tokenIds, t);
    slots = new NDIndex(":, {}, {}", longs(step, in.slotBlocks, t), longs(step, in.slotOffsets, t));
    ropeCos = floats(step, dtype, in.ropeCos, t, ropeWidth);
    ropeSin = floats(step, dtype, in.ropeSin, t, ropeWidth);
    partners = JniUtils.broadcast(partnerRow, new Shape(t, ropeWidth));
    partners.attach(step); // broadcast attaches to the long-lived row's manager
    int numGroups = in.groups.size();
    contextRows = new PtNDArray[numGroups];
    consecutiveFirstBlocks = new int[numGroups];
    masks = new PtNDArray[numGroups];
    windowMasks = windowed ? new PtNDArray[numGroups] : null;
    queryRows = new PtNDArray[numGroups];
    for (int i = 0; i < numGroups; i++) {
      ContextGroup g = in.groups.get(i);
      long kvHeads = g.contextRows().length / ((long) g.numChunks() * g.blocksPerSequence());
      consecutiveFirstBlocks[i] = g.consecutiveFirstBlock();
      contextRows[i] = consecutiveFirstBlocks[i] >= 0
          ? null
          : longs(step, g.contextRows(), g.numChunks(), kvHeads, g.blocksPerSequence());
      Shape maskShape = new Shape(g.numChunks(), 1, 1, g.maskRows(), (long) g.blocksPerSequence() * in.blockSize);
      masks[i] = g.mask() == null ? null : (PtNDArray) step.create(g.mask(), maskShape);
      if (windowMasks != null) {
        windowMasks[i] = g.windowMask() == g.mask() ? masks[i] : (PtNDArray) step.create(g.windowMask(), maskShape);
      }
      boolean allRows = numGroups == 1 && in.inOrder;
      queryRows[i] = allRows ? null : longs(step, g.queryRows(), g.queryRows().length);
    }
    outputRows = in.outputRows == null ? null : longs(step, in.outputRows, t);
    logitRows = in.logitRows == null ? null : longs(step, in.logitRows, in.logitRows.length);
  }

  private static PtNDArray longs(NDManager m, long[] data, long... shape) {
    return (PtNDArray) m.create(data, new Shape(shape));
  }

  private static PtNDArray floats(NDManager m, DataType dtype, float[] data, long... shape) {
    PtNDArray a = (PtNDArray) m.create(data, new Shape(shape));
    return dtype == DataType.FLOAT32 ? a : (PtNDArray) a.toType(dtype, false);
  }
}
