package dev.robin.engine.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.robin.engine.config.ModelConfig;

/**
 * The paged KV cache on the device: per layer one tensor of {@code numBlocks * blockSize} slots, each slot a
 * row holding a token's keys then values for every KV head. Position {@code p} of a sequence lives in slot
 * {@code blockTable[p / blockSize] * blockSize + p % blockSize}.
 *
 * <p>Keys and values share a row so that a step writes each layer with one in-place {@code index_put_} and
 * reads a batch's context with one row gather ({@code embedding}), halving the per-layer index ops. Writes
 * never reallocate: {@code put}/{@code scatter} would copy the whole cache every step.
 */
public final class PagedKvCache implements AutoCloseable {

  private final int numBlocks;
  private final int blockSize;
  private final int kvWidth;
  private final NDManager manager;
  private final PtNDArray[] layers; // [layers][numBlocks*blockSize, 2*kvHeads*headDim]: keys | values

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
    this.kvWidth = 2 * config.numKeyValueHeads() * config.headDim();
    this.manager = parent.newSubManager();
    this.layers = new PtNDArray[config.numHiddenLayers()];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = (PtNDArray) manager.zeros(new Shape(slots, kvWidth), dtype);
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

  /** Width of a slot row: keys then values of every KV head. */
  public int slotWidth() {
    return kvWidth;
  }

  /** The cache tensor of one layer, {@code [numSlots, 2*kvHeads*headDim]}. */
  public PtNDArray layer(int layer) {
    return layers[layer];
  }

  /** Writes rows of {@code keysValues} ({@code [n, slotWidth]}) into {@code slots} in place. */
  void write(int layer, NDIndex slots, PtNDArray keysValues) {
    JniUtils.indexAdvPut(layers[layer], slots, keysValues);
  }

  /** Gathers the rows of {@code slots} (any shape {@code S}) into a new {@code [S..., slotWidth]} array. */
  PtNDArray gather(int layer, PtNDArray slots) {
    // embedding(indices, table) is a single row gather that attaches its result to the indices' manager.
    return JniUtils.embedding(slots, layers[layer], false);
  }

  @Override
  public void close() {
    manager.close();
  }
}
