package dev.robin.engine.core;

import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * A model runner for tests whose "KV cache" stores each position's token id in its paged slot. The next
 * token is a deterministic function of the context it reads back through the block table, so a wrong block
 * table, a wrongly shared prefix block or a lost recomputation changes the output, as with a real model.
 */
public final class FakeModelRunner implements ModelRunner {

  private static final int EMPTY = -1;

  private final int numBlocks;
  private final int blockSize;
  private final int vocabSize;
  private final int[][] slots;
  private final ToIntFunction<int[]> nextToken;
  private final List<StepPlan> plans = new ArrayList<>();
  private RuntimeException failure;
  private boolean closed;

  /** A runner whose next token hashes the whole context into {@code [1, vocabSize)} (never 0). */
  public FakeModelRunner(int numBlocks, int blockSize, int vocabSize) {
    this(numBlocks, blockSize, vocabSize, context -> 1 + Math.floorMod(hash(context), vocabSize - 1));
  }

  public FakeModelRunner(int numBlocks, int blockSize, int vocabSize, ToIntFunction<int[]> nextToken) {
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.vocabSize = vocabSize;
    this.slots = new int[numBlocks][blockSize];
    for (int[] block : slots) {
      Arrays.fill(block, EMPTY);
    }
    this.nextToken = nextToken;
  }

  static int hash(int[] context) {
    int h = 0x9E3779B9;
    for (int t : context) {
      h = (h ^ t) * 0x01000193;
      h ^= h >>> 15;
    }
    return h;
  }

  /** Makes the next {@link #execute} throw {@code e}. */
  public void failNextStep(RuntimeException e) {
    this.failure = e;
  }

  /** Every plan executed so far. */
  public List<StepPlan> plans() {
    return plans;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public Map<Long, float[]> execute(StepPlan plan) {
    if (failure != null) {
      RuntimeException e = failure;
      failure = null;
      throw e;
    }
    plans.add(plan);
    Map<Long, float[]> logits = new HashMap<>();
    for (SequenceChunk chunk : plan.chunks()) {
      write(chunk);
      if (chunk.wantsLogits()) {
        float[] row = new float[vocabSize];
        row[nextToken.applyAsInt(read(chunk))] = 1.0f;
        logits.put(chunk.sequenceId(), row);
      }
    }
    return logits;
  }

  private void write(SequenceChunk chunk) {
    for (int i = 0; i < chunk.numTokens(); i++) {
      int position = chunk.startPosition() + i;
      slots[chunk.blockTable()[position / blockSize]][position % blockSize] = chunk.tokenIds()[i];
    }
  }

  /** The context as the cache holds it; fails on a position nobody computed. */
  private int[] read(SequenceChunk chunk) {
    int[] context = new int[chunk.contextLength()];
    for (int p = 0; p < context.length; p++) {
      context[p] = slots[chunk.blockTable()[p / blockSize]][p % blockSize];
      if (context[p] == EMPTY) {
        throw new IllegalStateException("sequence " + chunk.sequenceId() + " reads uncomputed position " + p);
      }
    }
    return context;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public int numBlocks() {
    return numBlocks;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void close() {
    closed = true;
  }
}
