package dev.robin.bench.engine;

import dev.robin.bench.stats.Percentiles;

/**
 * Decode-step timings of one model, dtype and batch size.
 *
 * @param contextTokens tokens each sequence had in its KV cache before the first timed step
 * @param msPerStep distribution of the timed {@code ModelRunner.execute} calls
 * @param tokensPerSecond {@code batch × timedSteps / total time of the timed steps}
 * @param prefillMs time of the (single, untimed-for-throughput) prefill step of the first sequence
 * @param matmulFloorMs mean time of the same batch's dense matmuls alone ({@link MatmulFloor}); -1 if not
 *     measured
 */
public record DecodeResult(
    String model,
    String dtype,
    int batch,
    int contextTokens,
    int warmupSteps,
    int timedSteps,
    double meanMsPerStep,
    Percentiles msPerStep,
    double tokensPerSecond,
    double prefillMs,
    double matmulFloorMs) {

  public DecodeResult withMatmulFloorMs(double ms) {
    return new DecodeResult(
        model, dtype, batch, contextTokens, warmupSteps, timedSteps, meanMsPerStep, msPerStep, tokensPerSecond,
        prefillMs, ms);
  }
}
