package dev.robin.engine.gemm;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Run in a child JVM by {@link ProjectionFallbackTest}: prints what the factory chose there. */
public final class FallbackProbe {

  private FallbackProbe() {}

  public static void main(String[] args) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ProjectionFactory f = ProjectionFactory.choose(Device.cpu(), DataType.FLOAT32, true);
      System.out.println("packs=" + f.packs() + " degraded=" + f.degraded() + " kernel=" + f.description());
    }
  }
}
