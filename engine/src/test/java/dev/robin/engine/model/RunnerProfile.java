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

/** Throwaway: a torch profiler trace of a few decode steps. Args: model batch context dtype out.json */
public final class RunnerProfile {

  public static void main(String[] args) {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(1);
    ModelConfig cfg = switch (args[0]) {
      case "tiny" -> RandomWeights.llama(64, 172, 5, 8, 4, 512, true, 512);
      case "25m" -> RandomWeights.llama25m();
      default -> RandomWeights.llama75m();
    };
    int batch = Integer.parseInt(args[1]);
    int context = Integer.parseInt(args[2]);
    DataType dtype = args[3].equals("f16") ? DataType.FLOAT16 : DataType.FLOAT32;
    int blockSize = 16;
    int per = (context + 64) / blockSize + 1;
    try (LlamaRunner runner = LlamaRunner.create(new RandomWeights(1), cfg, Device.cpu(), dtype, batch * per, blockSize)) {
      int[][] tables = new int[batch][];
      for (int b = 0; b < batch; b++) {
        tables[b] = Generation.contiguousBlocks(b * per, per * blockSize, blockSize);
        int[] prompt = new int[context];
        Arrays.fill(prompt, 5);
        runner.execute(new StepPlan(List.of(new SequenceChunk(b, prompt, 0, tables[b], false)), List.of()));
      }
      for (int i = 0; i < 13; i++) {
        if (i == 10) {
          JniUtils.startProfile(false, true, false);
        }
        List<SequenceChunk> chunks = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
          chunks.add(new SequenceChunk(b, new int[] {7}, context + i, tables[b], true));
        }
        runner.execute(new StepPlan(chunks, List.of()));
      }
      JniUtils.stopProfile(args[4]);
    }
  }
}
