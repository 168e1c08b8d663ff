package dev.robin.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Throwaway decode-throughput harness (test scope, not a test): ms per decode step at several batch sizes for
 * the llama-25m and llama-75m shapes with random weights. Args: [threads] [context] [steps].
 */
public final class RunnerBenchmark {

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int context = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    String only = args.length > 3 ? args[3] : "";
    ai.djl.engine.Engine.getEngine("PyTorch");
    if (threads > 0) {
      JniUtils.setNumThreads(threads);
      JniUtils.setNumInteropThreads(1);
    }
    System.out.printf("threads=%d context=%d steps=%d%n", threads, context, steps);
    if (only.equals("prefill")) {
      prefill(context);
      return;
    }
    for (String name : List.of("tiny", "llama-25m", "llama-75m")) {
      if (!only.isEmpty() && !name.contains(only)) {
        continue;
      }
      ModelConfig cfg = switch (name) {
        case "tiny" -> RandomWeights.llama(64, 172, 5, 8, 4, 512, true, 512); // the stories260k shape
        case "llama-25m" -> RandomWeights.llama25m();
        default -> RandomWeights.llama75m();
      };
      for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
        for (int batch : new int[] {1, 4, 16, 64}) {
          int blockSize = 16;
          int blocksPerSeq = (context + steps + 8 + blockSize - 1) / blockSize;
          try (LlamaRunner runner = LlamaRunner.create(
              new RandomWeights(1), cfg, Device.cpu(), dtype, batch * blocksPerSeq, blockSize)) {
            double[] ms = measure(runner, batch, blocksPerSeq, context, steps);
            System.out.printf("%-10s %-8s batch %3d: %7.2f ms/step wall %7.2f ms cpu  %8.1f tok/s (cpu-bound %8.1f)%n",
                name, dtype, batch, ms[0], ms[1], batch * 1000.0 / ms[0], batch * 1000.0 / ms[1]);
          }
        }
      }
    }
  }

  /** One prompt of {@code length} tokens per step, float32, both shapes; plus the same prompt beside 16 decodes. */
  private static void prefill(int length) {
    for (ModelConfig cfg : List.of(RandomWeights.llama25m(), RandomWeights.llama75m())) {
      int blockSize = 16;
      int per = (length + blockSize) / blockSize + 1;
      try (LlamaRunner runner = LlamaRunner.create(
          new RandomWeights(1), cfg, Device.cpu(), DataType.FLOAT32, 20 * per, blockSize)) {
        int[] prompt = new int[length];
        Arrays.fill(prompt, 9);
        for (int mixed = 0; mixed <= 1; mixed++) {
          for (int rep = 0; rep < 3; rep++) {
            List<SequenceChunk> chunks = new ArrayList<>();
            chunks.add(new SequenceChunk(100, prompt, 0, Generation.contiguousBlocks(0, length, blockSize), true));
            for (int b = 0; mixed == 1 && b < 16; b++) {
              chunks.add(new SequenceChunk(b, new int[] {7}, 127, Generation.contiguousBlocks((b + 1) * per, 128, blockSize), true));
            }
            long t0 = System.nanoTime();
            runner.execute(new StepPlan(chunks, List.of()));
            System.out.printf("hidden %d: prefill %d tokens%s: %.1f ms%n", cfg.hiddenSize(), length,
                mixed == 1 ? " + 16 decodes" : "", (System.nanoTime() - t0) / 1e6);
          }
        }
      }
    }
  }

  private static double[] measure(LlamaRunner runner, int batch, int blocksPerSeq, int context, int steps) {
    int[][] tables = new int[batch][];
    for (int b = 0; b < batch; b++) {
      tables[b] = Generation.contiguousBlocks(b * blocksPerSeq, blocksPerSeq * runner.blockSize(), runner.blockSize());
      int[] prompt = new int[context];
      Arrays.fill(prompt, 5 + b);
      runner.execute(new StepPlan(List.of(new SequenceChunk(b, prompt, 0, tables[b], false)), List.of()));
    }
    int warmup = 5;
    long start = 0;
    long cpuStart = 0;
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < warmup + steps; i++) {
      if (i == warmup) {
        start = System.nanoTime();
        cpuStart = mx.getCurrentThreadCpuTime();
      }
      List<SequenceChunk> chunks = new ArrayList<>(batch);
      for (int b = 0; b < batch; b++) {
        chunks.add(new SequenceChunk(b, new int[] {7}, context + i, tables[b], true));
      }
      runner.execute(new StepPlan(chunks, List.of()));
    }
    return new double[] {
      (System.nanoTime() - start) / 1e6 / steps, (mx.getCurrentThreadCpuTime() - cpuStart) / 1e6 / steps
    };
  }
}
