package dev.robin.engine.gemm;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.Optional;

/**
 * Chooses how a model's projections multiply: {@link PackedProjection} (MKL's packed SGEMM) for float32 on the
 * CPU when the JVM can reach it, else {@link TorchProjection} (PyTorch's {@code linear}, any device and dtype).
 */
public final class ProjectionFactory {

  /**
   * Row count the packed layout is tuned for: it multiplied anything from one row to 128 at least as fast as the
   * other row counts tried, and whole prompt chunks as fast as PyTorch's linear (docs/benchmarks.md, "Tried and
   * not kept").
   */
  public static final int PACK_ROWS_HINT = 128;

  private final MklPackedGemm gemm; // null: PyTorch's linear
  private final String description;
  private final boolean degraded;

  private ProjectionFactory(MklPackedGemm gemm, String description, boolean degraded) {
    this.gemm = gemm;
    this.description = description;
    this.degraded = degraded;
  }

  /** PyTorch's {@code linear} everywhere. */
  public static ProjectionFactory torch(String why) {
    return new ProjectionFactory(null, "PyTorch linear (" + why + ")", false);
  }

  /**
   * The packed GEMM when {@code packedGemm} is allowed, the device is the CPU, the dtype float32 and MKL's
   * entry points can be linked; otherwise PyTorch's {@code linear}, with the reason in {@link #description}.
   */
  public static ProjectionFactory choose(Device device, DataType dtype, boolean packedGemm) {
    if (!packedGemm) {
      return torch("packed GEMM turned off");
    }
    if (!Device.Type.CPU.equals(device.getDeviceType())) {
      return torch("packed GEMM is CPU-only, device is " + device);
    }
    if (dtype != DataType.FLOAT32) {
      return torch("packed GEMM is float32-only, dtype is " + dtype);
    }
    Engine.getEngine("PyTorch"); // loads PyTorch's library, which the linker looks in, before the one-time link
    MklPackedGemm.Loaded loaded = Mkl.LOADED;
    Optional<MklPackedGemm> gemm = loaded.gemm();
    return gemm.isPresent()
        ? new ProjectionFactory(gemm.get(), "MKL packed SGEMM", false)
        : new ProjectionFactory(null, "PyTorch linear (" + loaded.reason() + ")", true);
  }

  /** Linked once per JVM: the symbols do not change. */
  private static final class Mkl {
    static final MklPackedGemm.Loaded LOADED = MklPackedGemm.load();
  }

  /**
   * A projection of {@code weight} ({@code [out, in]}) and {@code bias} ({@code [out]} or null). A packed one
   * keeps its own copy, so the caller may close {@code weight} afterwards (see {@link #packs}).
   */
  public Projection create(PtNDArray weight, PtNDArray bias) {
    return gemm == null ? new TorchProjection(weight, bias) : new PackedProjection(gemm, weight, bias, PACK_ROWS_HINT);
  }

  /**
   * As {@link #create}, taking {@code weight} over: a packed projection closes it at once (its copy replaces
   * it; see {@link #packs}), a PyTorch one keeps using it.
   */
  public Projection replace(PtNDArray weight, PtNDArray bias) {
    Projection p = create(weight, bias);
    if (packs()) {
      weight.close();
    }
    return p;
  }

  /** After the weight arrays a model was packed from are closed: returns their memory to the system. */
  public void weightsPacked() {
    if (gemm != null) {
      gemm.releaseFreedMemory();
    }
  }

  /** Whether {@link #create} packs, i.e. no longer needs the weight array. */
  public boolean packs() {
    return gemm != null;
  }

  /** The kernel in use, or why the packed one is not: for the startup log. */
  public String description() {
    return description;
  }

  /** Whether the packed GEMM was wanted and applies here but could not be linked: worth a warning. */
  public boolean degraded() {
    return degraded;
  }
}
