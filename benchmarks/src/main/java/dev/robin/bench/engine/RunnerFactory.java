package dev.robin.bench.engine;

import ai.djl.Device;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.load.EngineOptions;
import dev.robin.engine.model.LlamaRunner;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.synthetic.ModelLocator;

/**
 * The one place that builds an engine {@link ModelRunner} for the microbenchmark, so that the measuring
 * code does not depend on how models are resolved and loaded. It goes the way the server does: the spec
 * through {@link ModelLocator} (a synthetic model is written once into its cache), the checkpoint through
 * {@link Checkpoint}, the weights and KV cache through {@link LlamaRunner#create}.
 */
public final class RunnerFactory {

  private RunnerFactory() {}

  /**
   * Opens {@code modelSpec} (e.g. {@code synthetic:llama-25m} or a model directory) on the CPU with weights,
   * activations and KV cache in {@code dtype}.
   *
   * @param dtype {@code float32} or {@code float16}
   * @param numBlocks KV-cache blocks to allocate
   * @param blockSize tokens per block
   * @param packedGemm whether projections may use MKL's packed GEMM (as the server does by default)
   */
  public static ModelRunner open(String modelSpec, String dtype, int numBlocks, int blockSize, boolean packedGemm) {
    Checkpoint checkpoint = ModelLocator.open(modelSpec, null);
    return LlamaRunner.create(checkpoint, checkpoint.config(), Device.cpu(), EngineOptions.parseDtype(dtype),
        numBlocks, blockSize, packedGemm);
  }
}
