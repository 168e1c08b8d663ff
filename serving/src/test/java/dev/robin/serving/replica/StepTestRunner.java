package dev.robin.serving.replica;

import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model runner for actor tests: the next token is a fixed function of the previous one (never 0, the
 * EOS id), each step may take a set time, the next step can be made to fail, and it records the threads
 * that ran it.
 */
final class StepTestRunner implements ModelRunner {

  static final int VOCAB = 100;

  private final int numBlocks;
  private final long stepMillis;
  private volatile RuntimeException failure;
  final Set<String> threadNames = ConcurrentHashMap.newKeySet();
  volatile boolean closed;

  StepTestRunner(int numBlocks, long stepMillis) {
    this.numBlocks = numBlocks;
    this.stepMillis = stepMillis;
  }

  static int next(int token) {
    return 1 + Math.floorMod(token * 7 + 3, VOCAB - 1);
  }

  void failNextStep(RuntimeException e) {
    failure = e;
  }

  @Override
  public Map<Long, float[]> execute(StepPlan plan) {
    threadNames.add(Thread.currentThread().getName());
    RuntimeException e = failure;
    if (e != null) {
      failure = null;
      throw e;
    }
    if (stepMillis > 0) {
      try {
        Thread.sleep(stepMillis); // stands for the forward pass
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    Map<Long, float[]> logits = new HashMap<>();
    for (SequenceChunk chunk : plan.chunks()) {
      if (chunk.wantsLogits()) {
        float[] row = new float[VOCAB];
        row[next(chunk.tokenIds()[chunk.numTokens() - 1])] = 1f;
        logits.put(chunk.sequenceId(), row);
      }
    }
    return logits;
  }

  @Override
  public int blockSize() {
    return 16;
  }

  @Override
  public int numBlocks() {
    return numBlocks;
  }

  @Override
  public int vocabSize() {
    return VOCAB;
  }

  @Override
  public void close() {
    closed = true;
  }
}
