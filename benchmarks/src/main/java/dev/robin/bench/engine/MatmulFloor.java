package dev.robin.bench.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.Device;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.gemm.Projection;
import dev.robin.engine.gemm.ProjectionFactory;
import dev.robin.engine.load.EngineOptions;

/**
 * The dense matmuls of one decode step and nothing else: per layer the fused q/k/v, output, fused gate/up
 * and down projections, then the LM head, each a {@code linear} of a {@code [batch, in]} input against a
 * random {@code [out, in]} weight of the model's shapes, through the same {@link Projection}s the runner uses
 * (MKL's packed GEMM or PyTorch's {@code linear}, see {@link ProjectionFactory}). No attention, KV cache, norms
 * or sampling: the time a step cannot go below with that kernel on this machine, so the gap between it and a
 * whole step is what the rest of the runner costs. The weights are a second copy of the model's size.
 */
public final class MatmulFloor implements AutoCloseable {

  private final NDManager manager = NDManager.newBaseManager();
  private final int hidden;
  private final long[][] shapes; // per matmul: {out, in}
  private final Projection[] projections;
  private final DataType dtype;

  /**
   * @param dtype {@code float32} or {@code float16}
   * @param packedGemm whether to multiply as the runner would with packed GEMM allowed
   */
  public MatmulFloor(ModelConfig config, String dtype, boolean packedGemm) {
    this.dtype = EngineOptions.parseDtype(dtype);
    this.hidden = config.hiddenSize();
    int q = config.numAttentionHeads() * config.headDim();
    int kv = config.numKeyValueHeads() * config.headDim();
    int inter = config.intermediateSize();
    int layers = config.numHiddenLayers();
    shapes = new long[4 * layers + 1][];
    for (int l = 0; l < layers; l++) {
      shapes[4 * l] = new long[] {q + 2L * kv, hidden};
      shapes[4 * l + 1] = new long[] {hidden, q};
      shapes[4 * l + 2] = new long[] {2L * inter, hidden};
      shapes[4 * l + 3] = new long[] {hidden, inter};
    }
    shapes[4 * layers] = new long[] {config.vocabSize(), hidden};
    ProjectionFactory factory = ProjectionFactory.choose(Device.cpu(), this.dtype, packedGemm);
    projections = new Projection[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      PtNDArray weight = (PtNDArray) manager.randomNormal(0, 0.02f, new Shape(shapes[i]), DataType.FLOAT32)
          .toType(this.dtype, false);
      projections[i] = factory.replace(weight, null);
    }
  }

  /** Mean milliseconds of one step's matmuls at {@code batch} rows, after {@code warmup} untimed steps. */
  public double msPerStep(int batch, int warmup, int steps) {
    try (NDManager inputs = manager.newSubManager()) {
      PtNDArray[] xs = new PtNDArray[shapes.length];
      for (int i = 0; i < shapes.length; i++) {
        xs[i] = (PtNDArray) inputs.randomNormal(new Shape(batch, shapes[i][1])).toType(dtype, false);
      }
      long total = 0;
      for (int s = 0; s < warmup + steps; s++) {
        long t0 = System.nanoTime();
        try (NDManager step = inputs.newSubManager()) {
          for (int i = 0; i < shapes.length; i++) {
            projections[i].apply(xs[i], step);
          }
        }
        if (s >= warmup) {
          total += System.nanoTime() - t0;
        }
      }
      return total / 1e6 / steps;
    }
  }

  @Override
  public void close() {
    for (Projection p : projections) {
      p.close();
    }
    manager.close();
  }
}
