package dev.robin.engine.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.robin.engine.config.ModelConfig;

/**
 * The paged KV cache on the device: per layer one tensor {@code [kvHeads, numBlocks, blockSize, 2, headDim]}
 * (key then value of each slot and KV head). Position {@code p} of a sequence lives in block
 * {@code blockTable[p / blockSize]} at offset {@code p % blockSize}.
 *
 * <p>Why this layout: each (KV head, block) pair is one contiguous row, so a batch's context is read with a
 * single row gather ({@code embedding}, a memcpy per row; advanced indexing on an inner dimension is far
 * slower) straight into {@code [S, kvHeads, L, 2, headDim]}, whose {@code (S, kvHeads)} batch dimensions merge,
 * so both attention matmuls read the gathered context in place: one copy of the context per layer, the
 * minimum without a custom kernel. Keys and values together halve the index ops. Writes go in place with
 * {@code index_put_}: {@code put}/{@code scatter} would copy the whole cache every step.
 *
 * <p>Even so the gather is a large share of a batched step (docs/benchmarks.md, "Where the time goes"). A lone
 * sequence whose blocks are consecutive skips it: {@link #view} slices the same layout out of the cache
 * (bit-identical logits).
 */
public final class PagedKvCache implements AutoCloseable {

  private final int numBlocks;
  private final int blockSize;
  private final int kvWidth;
  private final NDManager manager;
  private final int kvHeads;
  private final int headDim;
  private final PtNDArray[] layers; // [layers][kvHeads, numBlocks, blockSize, 2, headDim]
  private final PtNDArray[] byRow; // [layers][kvHeads*numBlocks, blockSize*2*headDim], views of layers

  /** Allocates zeroed slots for {@code numBlocks} blocks of {@code blockSize} tokens on the manager's device. */
  public PagedKvCache(ModelConfig config, NDManager parent, DataType dtype, int numBlocks, int blockSize) {
    if (numBlocks <= 0 || blockSize <= 0) {
      throw new IllegalArgumentException(
          "KV cache needs positive numBlocks and blockSize, got " + numBlocks + " and " + blockSize);
    }
    long slots = (long) numBlocks * blockSize;
    if (slots > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("KV cache of " + slots + " slots is too large");
    }
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.kvHeads = config.numKeyValueHeads();
    this.headDim = config.headDim();
    this.kvWidth = 2 * kvHeads * headDim;
    this.manager = parent.newSubManager();
    int n = config.numHiddenLayers();
    this.layers = new PtNDArray[n];
    this.byRow = new PtNDArray[n];
    for (int l = 0; l < n; l++) {
      layers[l] = (PtNDArray) manager.zeros(new Shape(kvHeads, numBlocks, blockSize, 2, headDim), dtype);
      byRow[l] = JniUtils.reshape(layers[l], new long[] {(long) kvHeads * numBlocks, 2L * blockSize * headDim});
    }
  }

  /**
   * Device bytes one block takes over all layers: what a KV cache manager divides its memory budget by.
   *
   * @param dtypeBytes 4 for float32, 2 for float16
   */
  public static long bytesPerBlock(ModelConfig config, int blockSize, int dtypeBytes) {
    return (long) config.numHiddenLayers() * blockSize * 2L * config.numKeyValueHeads() * config.headDim()
        * dtypeBytes;
  }

  public int numBlocks() {
    return numBlocks;
  }

  public int blockSize() {
    return blockSize;
  }

  public int numSlots() {
    return numBlocks * blockSize;
  }

  /** Values per slot over all KV heads: keys and values. */
  public int slotWidth() {
    return kvWidth;
  }

  /** The cache tensor of one layer, {@code [kvHeads, numBlocks, blockSize, 2, headDim]}. */
  public PtNDArray layer(int layer) {
    return layers[layer];
  }

  /**
   * Writes {@code keysValues} ({@code [kvHeads, n, 2, headDim]}) in place; {@code slots} is the index
   * {@code (:, [n] blocks, [n] offsets)}.
   */
  void write(int layer, NDIndex slots, PtNDArray keysValues) {
    JniUtils.indexAdvPut(layers[layer], slots, keysValues);
  }

  /**
   * Gathers whole blocks into a new {@code [S, kvHeads, nb * blockSize, 2, headDim]} array in {@code scope}.
   *
   * @param rows {@code [S, kvHeads, nb]}: {@code head * numBlocks + block} for each KV head and context block
   */
  PtNDArray gather(int layer, PtNDArray rows, int numSequences, int blocksPerSequence, NDManager scope) {
    PtNDArray g = JniUtils.embedding(rows, byRow[layer], false); // [S, kvHeads, nb, blockSize*2*headDim]
    g.attach(scope); // results follow their first operand's manager: the step's index array
    return JniUtils.reshape(
        g, new long[] {numSequences, kvHeads, (long) blocksPerSequence * blockSize, 2, headDim});
  }

  /**
   * The context of one sequence whose blocks {@code firstBlock .. firstBlock + numContextBlocks - 1} are
   * consecutive, as a view {@code [1, kvHeads, numContextBlocks * blockSize, 2, headDim]} in {@code scope}: the
   * same layout as {@link #gather} without its copy.
   */
  PtNDArray view(int layer, int firstBlock, int numContextBlocks, NDManager scope) {
    PtNDArray blocks = JniUtils.slice(layers[layer], 1, firstBlock, firstBlock + numContextBlocks, 1);
    blocks.attach(scope); // a view follows its base's manager: the cache's
    return JniUtils.reshape(
        blocks, new long[] {1, kvHeads, (long) numContextBlocks * blockSize, 2, headDim});
  }

  @Override
  public void close() {
    manager.close();
  }
}
