package dev.robin.bench.engine;

import dev.robin.bench.stats.LatencyHistogram;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times decode steps directly on a {@link ModelRunner}, in-process, with no scheduler, actor or HTTP in
 * the way: B sequences are prefilled with a prompt of random tokens, then every step decodes one token
 * for each of them (greedy, so the fed-back tokens are realistic). Warm-up steps run first and are not
 * timed; only {@code execute} is inside the timed region.
 */
public final class DecodeBenchmark {

  private final ModelRunner runner;
  private final int contextTokens;
  private final int warmupSteps;
  private final int timedSteps;

  public DecodeBenchmark(ModelRunner runner, int contextTokens, int warmupSteps, int timedSteps) {
    if (contextTokens < 1 || warmupSteps < 0 || timedSteps < 1) {
      throw new IllegalArgumentException(
          "need context ≥ 1, warm-up ≥ 0 and timed steps ≥ 1; got " + contextTokens + ", " + warmupSteps
              + ", " + timedSteps);
    }
    this.runner = runner;
    this.contextTokens = contextTokens;
    this.warmupSteps = warmupSteps;
    this.timedSteps = timedSteps;
  }

  /** KV blocks one sequence needs for the prompt and every step. */
  public static int blocksPerSequence(int contextTokens, int warmupSteps, int timedSteps, int blockSize) {
    int tokens = contextTokens + warmupSteps + timedSteps;
    return (tokens + blockSize - 1) / blockSize;
  }

  /** Prefills {@code batch} sequences, then runs the warm-up and timed decode steps. */
  public DecodeResult run(String model, String dtype, int batch) {
    int perSeq = blocksPerSequence(contextTokens, warmupSteps, timedSteps, runner.blockSize());
    if ((long) batch * perSeq > runner.numBlocks()) {
      throw new IllegalArgumentException(
          "batch " + batch + " needs " + (long) batch * perSeq + " KV blocks, the runner has " + runner.numBlocks());
    }
    Random random = new Random(batch);
    List<Sequence> seqs = new ArrayList<>(batch);
    double prefillMs = 0;
    for (int i = 0; i < batch; i++) {
      int[] blocks = new int[perSeq];
      for (int b = 0; b < perSeq; b++) {
        blocks[b] = i * perSeq + b;
      }
      Sequence s = new Sequence(1_000_000L * batch + i, blocks);
      int[] prompt = random.ints(contextTokens, 0, runner.vocabSize()).toArray();
      long t0 = System.nanoTime();
      Map<Long, float[]> logits =
          runner.execute(new StepPlan(List.of(new SequenceChunk(s.id, prompt, 0, blocks, true)), List.of()));
      if (i == 0) {
        prefillMs = (System.nanoTime() - t0) / 1e6;
      }
      s.position = contextTokens;
      s.next = argmax(logitsOf(logits, s.id));
      seqs.add(s);
    }
    for (int step = 0; step < warmupSteps; step++) {
      step(seqs);
    }
    LatencyHistogram steps = new LatencyHistogram();
    long total = 0;
    for (int step = 0; step < timedSteps; step++) {
      long nanos = step(seqs);
      steps.recordNanos(nanos);
      total += nanos;
    }
    double seconds = total / 1e9;
    return new DecodeResult(
        model, dtype, batch, contextTokens, warmupSteps, timedSteps, total / 1e6 / timedSteps,
        steps.toMillis(), (double) batch * timedSteps / seconds, prefillMs, -1);
  }

  /** One decode step for every sequence; returns the nanoseconds {@code execute} took. */
  private long step(List<Sequence> seqs) {
    List<SequenceChunk> chunks = new ArrayList<>(seqs.size());
    for (Sequence s : seqs) {
      chunks.add(new SequenceChunk(s.id, new int[] {s.next}, s.position, s.blocks, true));
    }
    StepPlan plan = new StepPlan(chunks, List.of());
    long t0 = System.nanoTime();
    Map<Long, float[]> logits = runner.execute(plan);
    long nanos = System.nanoTime() - t0;
    for (Sequence s : seqs) {
      s.position++;
      s.next = argmax(logitsOf(logits, s.id));
    }
    return nanos;
  }

  private static float[] logitsOf(Map<Long, float[]> logits, long id) {
    float[] l = logits.get(id);
    if (l == null) {
      throw new IllegalStateException("the runner returned no logits for sequence " + id);
    }
    return l;
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private static final class Sequence {
    final long id;
    final int[] blocks;
    int position;
    int next;

    Sequence(long id, int[] blocks) {
      this.id = id;
      this.blocks = blocks;
    }
  }
}
