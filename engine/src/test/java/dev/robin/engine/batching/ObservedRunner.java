package dev.robin.engine.batching;

import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.HashMap;
import java.util.Map;

/**
 * Wraps a real runner to see what the scheduler sends it: how far each sequence's prompt has been computed
 * (so a test knows whether a request is waiting, in prefill or decoding) and how long the forward passes
 * took (so the scheduler's share of a step can be measured).
 */
final class ObservedRunner implements ModelRunner {

  private final ModelRunner delegate;
  private final Map<Long, Integer> computedTokens = new HashMap<>();
  private long executeNanos;
  private long numSteps;
  private long numTokens;

  ObservedRunner(ModelRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public Map<Long, float[]> execute(StepPlan plan) {
    for (SequenceChunk chunk : plan.chunks()) {
      computedTokens.put(chunk.sequenceId(), chunk.contextLength());
      numTokens += chunk.numTokens();
    }
    long start = System.nanoTime();
    try {
      return delegate.execute(plan);
    } finally {
      executeNanos += System.nanoTime() - start;
      numSteps++;
    }
  }

  /** Whether the sequence has been in a step yet. */
  boolean wasScheduled(long sequenceId) {
    return computedTokens.containsKey(sequenceId);
  }

  /** Positions computed by the sequence's latest step (0 before its first). */
  int computedTokens(long sequenceId) {
    return computedTokens.getOrDefault(sequenceId, 0);
  }

  long executeNanos() {
    return executeNanos;
  }

  long numSteps() {
    return numSteps;
  }

  long numTokens() {
    return numTokens;
  }

  @Override
  public int blockSize() {
    return delegate.blockSize();
  }

  @Override
  public int numBlocks() {
    return delegate.numBlocks();
  }

  @Override
  public int vocabSize() {
    return delegate.vocabSize();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
