package dev.robin.engine.gemm;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;

/**
 * One weight matrix of a model (with its bias, if any) applied to rows of activations: {@code x · Wᵀ + b}.
 * Implementations differ only in the kernel; their results agree to float32 rounding.
 */
public interface Projection extends AutoCloseable {

  /** {@code x} ({@code [m, in]}) times the weight, plus the bias: a new {@code [m, out]} array in {@code scope}. */
  PtNDArray apply(PtNDArray x, NDManager scope);

  /** As {@link #apply}, plus {@code residual} ({@code [m, out]}): the residual add of a transformer block. */
  PtNDArray applyAdd(PtNDArray x, PtNDArray residual, NDManager scope);

  /** Output features. */
  long outFeatures();

  /** Frees what the projection owns beyond its manager's arrays (packed native memory). */
  @Override
  void close();
}
