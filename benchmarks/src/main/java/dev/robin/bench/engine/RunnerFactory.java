package dev.robin.bench.engine;

import dev.robin.engine.scheduler.ModelRunner;

/**
 * The one place that builds an engine {@link ModelRunner} for the microbenchmark, so that the measuring
 * code does not depend on how models are resolved and loaded.
 */
public final class RunnerFactory {

  private RunnerFactory() {}

  /**
   * Opens {@code modelSpec} (e.g. {@code synthetic:llama-25m}) with weights and KV cache in {@code dtype}.
   *
   * @param numBlocks KV-cache blocks to allocate
   * @param blockSize tokens per block
   */
  public static ModelRunner open(String modelSpec, String dtype, int numBlocks, int blockSize) {
    // TODO(lead): wire dev.robin.engine.model.LlamaRunner and the synthetic model resolver once they are
    // on main: resolve modelSpec to a config + TensorSource, then construct the runner with dtype,
    // numBlocks and blockSize. Until then the engine benchmark refuses to run rather than fake figures.
    throw new UnsupportedOperationException(
        "the engine's model runner (dev.robin.engine.model.LlamaRunner) is not on this branch yet; "
            + "cannot benchmark " + modelSpec + " in " + dtype);
  }
}
