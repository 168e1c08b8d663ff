package dev.robin.engine.scheduler;

import java.util.List;

/**
 * What one step computes: a ragged batch of chunks of different sequences (prompt chunks and single decode
 * tokens together), whose total number of tokens stays within the step's token budget.
 *
 * @param chunks one entry per sequence scheduled in this step
 * @param preempted sequences whose blocks were taken back during this schedule; they will be recomputed
 */
public record StepPlan(List<SequenceChunk> chunks, List<Long> preempted) {

  public boolean isEmpty() {
    return chunks.isEmpty();
  }

  public int numTokens() {
    int n = 0;
    for (SequenceChunk c : chunks) {
      n += c.numTokens();
    }
    return n;
  }
}
