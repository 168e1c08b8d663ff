package dev.robin.engine.gemm;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's {@code linear} on the weight array: any device, any dtype. The weight belongs to its manager.
 *
 * @param weight {@code [out, in]}
 * @param bias {@code [out]} or null
 */
public record TorchProjection(PtNDArray weight, PtNDArray bias) implements Projection {

  @Override
  public PtNDArray apply(PtNDArray x, NDManager scope) {
    return attached(JniUtils.linear(x, weight, bias), scope);
  }

  @Override
  public PtNDArray applyAdd(PtNDArray x, PtNDArray residual, NDManager scope) {
    if (bias != null) {
      PtNDArray out = apply(x, scope);
      JniUtils.addi(out, residual);
      return out;
    }
    // linear(a, W, residual) is addmm(residual, a, Wᵀ): the residual add comes free.
    return attached(JniUtils.linear(x, weight, residual), scope);
  }

  @Override
  public long outFeatures() {
    return weight.getShape().get(0);
  }

  @Override
  public void close() {
    // the weight belongs to its manager
  }

  private static PtNDArray attached(PtNDArray array, NDManager scope) {
    array.attach(scope); // results follow their first operand's manager
    return array;
  }
}
