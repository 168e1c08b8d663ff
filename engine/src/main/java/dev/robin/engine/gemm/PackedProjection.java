package dev.robin.engine.gemm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * A projection through {@link MklPackedGemm} on a weight packed once: float32 on the CPU. Owns the packed copy;
 * the bias (if any) belongs to its manager.
 */
public final class PackedProjection implements Projection {

  private final MklPackedGemm gemm;
  private final PackedMatrix weight;
  private final PtNDArray bias;

  /** Packs {@code weight} ({@code [out, in]} float32, CPU); the caller may close it afterwards. */
  public PackedProjection(MklPackedGemm gemm, PtNDArray weight, PtNDArray bias, int rowsHint) {
    if (weight.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("packed GEMM is float32, got " + weight.getDataType());
    }
    this.gemm = gemm;
    this.weight = gemm.pack(weight, rowsHint);
    this.bias = bias;
  }

  @Override
  public PtNDArray apply(PtNDArray x, NDManager scope) {
    long rows = x.getShape().size() / weight.columns();
    PtNDArray out = JniUtils.createEmptyNdArray((PtNDManager) scope, new Shape(rows, weight.rows()),
        DataType.FLOAT32, x.getDevice(), SparseFormat.DENSE);
    gemm.multiply(x, weight, out, 0f);
    if (bias != null) {
      JniUtils.addi(out, bias);
    }
    return out;
  }

  @Override
  public PtNDArray applyAdd(PtNDArray x, PtNDArray residual, NDManager scope) {
    PtNDArray out = apply(x, scope);
    JniUtils.addi(out, residual); // out is ours and contiguous; writing into residual could hit a view
    return out;
  }

  @Override
  public long outFeatures() {
    return weight.rows();
  }

  /** Whether the packed copy was freed. */
  public boolean isClosed() {
    return weight.isClosed();
  }

  @Override
  public void close() {
    weight.close();
  }
}
