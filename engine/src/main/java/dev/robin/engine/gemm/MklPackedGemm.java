package dev.robin.engine.gemm;

import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.FunctionDescriptor;
import jdk.incubator.foreign.MemoryAddress;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.SymbolLookup;

/**
 * Intel MKL's packed SGEMM ({@code cblas_sgemm_pack} / {@code cblas_sgemm_compute}), called through the JDK's
 * foreign linker in the very PyTorch library DJL has loaded, which exports it.
 *
 * <p>Why: PyTorch's {@code linear} hands MKL an unpacked weight, and MKL copies it into its kernel's panel
 * layout on every call ({@code sgemm_scopy_right48}, ~27% of a batch-16 decode step and ~18% of a prompt
 * chunk). Packing each weight once at load removes that copy: the projections of a batch-16 step took 22 ms
 * instead of 31-32 ms (docs/benchmarks.md). DJL exposes no packed GEMM, and PyTorch's own {@code
 * mkl::_mkl_linear} op is only reachable through TorchScript.
 *
 * <p>Only for float32 on the CPU. Needs the JVM flags {@code --add-modules jdk.incubator.foreign
 * --enable-native-access=ALL-UNNAMED} ({@code bin/robin} and the build pass them); {@link #load} says why when
 * it cannot be used, and callers then fall back to PyTorch's {@code linear}.
 */
public final class MklPackedGemm {

  static final String MODULE = "jdk.incubator.foreign";
  // CBLAS enum values (mkl_cblas.h).
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;
  private static final int TRANS = 112;
  private static final int PACKED = 151;
  private static final int B_MATRIX = 162;
  private static final long ALIGNMENT = 64;
  private static final int PROT_READ_WRITE = 0x3; // PROT_READ | PROT_WRITE
  private static final int MAP_PRIVATE_ANONYMOUS = 0x22; // MAP_PRIVATE | MAP_ANONYMOUS (Linux)

  private final MethodHandle packSize;
  private final MethodHandle pack;
  private final MethodHandle compute;
  private final MethodHandle mallocTrim; // null where the C library has none (not glibc)
  private final MethodHandle mmap; // null: malloc instead
  private final MethodHandle munmap;

  private MklPackedGemm(MethodHandle packSize, MethodHandle pack, MethodHandle compute, MethodHandle mallocTrim,
      MethodHandle mmap, MethodHandle munmap) {
    this.packSize = packSize;
    this.pack = pack;
    this.compute = compute;
    this.mallocTrim = mallocTrim;
    this.mmap = mmap;
    this.munmap = munmap;
  }

  /** What {@link #load} found: the GEMM, or why there is none. */
  public record Loaded(Optional<MklPackedGemm> gemm, String reason) {}

  /**
   * Finds the packed-GEMM entry points in PyTorch's CPU library, which DJL must have loaded already (any
   * NDManager on the PyTorch engine does that).
   */
  public static Loaded load() {
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      return none("the JVM runs without --add-modules " + MODULE);
    }
    try {
      return Linker.find();
    } catch (IllegalCallerException e) {
      return none("the JVM runs without --enable-native-access=ALL-UNNAMED");
    } catch (RuntimeException | LinkageError e) {
      return none("MKL's packed GEMM could not be linked: " + e);
    }
  }

  private static Loaded none(String reason) {
    return new Loaded(Optional.empty(), reason);
  }

  /** Kept apart so that no foreign-API class is touched before {@link #load} checked the module is there. */
  private static final class Linker {
    static Loaded find() {
      Path lib = Path.of(LibUtils.getLibtorchPath()).resolve(System.mapLibraryName("torch_cpu"));
      if (!Files.isRegularFile(lib)) {
        return none("PyTorch's CPU library is not at " + lib);
      }
      System.load(lib.toString()); // already loaded by DJL: this only makes it visible to loaderLookup
      SymbolLookup lookup = SymbolLookup.loaderLookup();
      Optional<MemoryAddress> size = lookup.lookup("cblas_sgemm_pack_get_size");
      Optional<MemoryAddress> pack = lookup.lookup("cblas_sgemm_pack");
      Optional<MemoryAddress> compute = lookup.lookup("cblas_sgemm_compute");
      if (size.isEmpty() || pack.isEmpty() || compute.isEmpty()) {
        return none("this PyTorch build has no MKL packed GEMM (not an MKL build)");
      }
      CLinker c = CLinker.getInstance();
      MethodHandle hSize = c.downcallHandle(size.get(),
          MethodType.methodType(long.class, int.class, int.class, int.class, int.class),
          FunctionDescriptor.of(CLinker.C_LONG, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT));
      MethodHandle hPack = c.downcallHandle(pack.get(),
          MethodType.methodType(void.class, int.class, int.class, int.class, int.class, int.class, int.class,
              float.class, MemoryAddress.class, int.class, MemoryAddress.class),
          FunctionDescriptor.ofVoid(CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT,
              CLinker.C_INT, CLinker.C_FLOAT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_POINTER));
      MethodHandle hCompute = c.downcallHandle(compute.get(),
          MethodType.methodType(void.class, int.class, int.class, int.class, int.class, int.class, int.class,
              MemoryAddress.class, int.class, MemoryAddress.class, int.class, float.class, MemoryAddress.class,
              int.class),
          FunctionDescriptor.ofVoid(CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT, CLinker.C_INT,
              CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_POINTER, CLinker.C_INT, CLinker.C_FLOAT,
              CLinker.C_POINTER, CLinker.C_INT));
      MethodHandle hTrim = CLinker.systemLookup().lookup("malloc_trim")
          .map(trim -> c.downcallHandle(trim, MethodType.methodType(int.class, long.class),
              FunctionDescriptor.of(CLinker.C_INT, CLinker.C_LONG)))
          .orElse(null);
      SymbolLookup libc = CLinker.systemLookup();
      Optional<MemoryAddress> mmapSymbol = libc.lookup("mmap");
      Optional<MemoryAddress> munmapSymbol = libc.lookup("munmap");
      MethodHandle hMmap = null;
      MethodHandle hMunmap = null;
      boolean linux = System.getProperty("os.name", "").startsWith("Linux"); // the flag values below are Linux's
      if (linux && mmapSymbol.isPresent() && munmapSymbol.isPresent()) {
        hMmap = c.downcallHandle(mmapSymbol.get(),
            MethodType.methodType(MemoryAddress.class, MemoryAddress.class, long.class, int.class, int.class,
                int.class, long.class),
            FunctionDescriptor.of(CLinker.C_POINTER, CLinker.C_POINTER, CLinker.C_LONG, CLinker.C_INT,
                CLinker.C_INT, CLinker.C_INT, CLinker.C_LONG));
        hMunmap = c.downcallHandle(munmapSymbol.get(),
            MethodType.methodType(int.class, MemoryAddress.class, long.class),
            FunctionDescriptor.of(CLinker.C_INT, CLinker.C_POINTER, CLinker.C_LONG));
      }
      return new Loaded(Optional.of(new MklPackedGemm(hSize, hPack, hCompute, hTrim, hMmap, hMunmap)),
          "MKL packed SGEMM");
    }
  }

  /**
   * Packs {@code weight} ({@code [n, k]} float32, CPU) for {@code x · weightᵀ}. The packed copy lives in native
   * memory the caller must {@link PackedMatrix#close}; the weight itself is left as it was.
   *
   * @param rowsHint the row count MKL tunes the layout for; any row count can be multiplied afterwards
   */
  public PackedMatrix pack(PtNDArray weight, int rowsHint) {
    long[] shape = weight.getShape().getShape();
    if (shape.length != 2) {
      throw new IllegalArgumentException("a packed weight must be 2-D, got " + weight.getShape());
    }
    int n = Math.toIntExact(shape[0]);
    int k = Math.toIntExact(shape[1]);
    try {
      long bytes = (long) packSize.invokeExact(B_MATRIX, rowsHint, n, k);
      MemoryAddress aligned = allocate(bytes);
      MemoryAddress src = address(weight);
      pack.invokeExact(ROW_MAJOR, B_MATRIX, TRANS, rowsHint, n, k, 1.0f, src, k, aligned);
      return new PackedMatrix(n, k, aligned, bytes, this::free);
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cblas_sgemm_pack failed", t);
    }
  }

  /**
   * {@code out = x · Wᵀ + beta · out} for {@code x} of {@code [m, k]} and {@code out} of {@code [m, n]}, both
   * contiguous float32 on the CPU ({@code beta} 0 ignores what {@code out} held, 1 accumulates into it).
   */
  public void multiply(PtNDArray x, PackedMatrix w, PtNDArray out, float beta) {
    long m = x.getShape().size() / w.columns();
    if (m * w.columns() != x.getShape().size() || out.getShape().size() != m * w.rows()) {
      throw new IllegalArgumentException(
          "shapes " + x.getShape() + " · [" + w.rows() + ", " + w.columns() + "]ᵀ → " + out.getShape());
    }
    if (m == 0) {
      return;
    }
    MemoryAddress a = address(x);
    MemoryAddress c = address(out);
    try {
      compute.invokeExact(ROW_MAJOR, NO_TRANS, PACKED, (int) m, w.rows(), w.columns(), a, w.columns(),
          w.address(), w.columns(), beta, c, w.rows());
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cblas_sgemm_compute failed", t);
    }
  }

  // MKL's size is an upper bound, often 2-5x the weight. Fresh anonymous pages are committed only where MKL
  // writes; malloc could hand out a hole the freed weight arrays left, resident whether written or not.
  private MemoryAddress allocate(long bytes) throws Throwable {
    if (mmap != null) {
      MemoryAddress pages = (MemoryAddress) mmap.invokeExact(MemoryAddress.NULL, bytes, PROT_READ_WRITE,
          MAP_PRIVATE_ANONYMOUS, -1, 0L);
      if (pages.toRawLongValue() == -1L) {
        throw new OutOfMemoryError("mmap of " + bytes + " bytes for a packed weight failed");
      }
      return pages; // page-aligned
    }
    MemoryAddress base = CLinker.allocateMemory(bytes + ALIGNMENT);
    if (base.equals(MemoryAddress.NULL)) {
      throw new OutOfMemoryError("could not allocate " + bytes + " bytes for a packed weight");
    }
    if ((base.toRawLongValue() & (ALIGNMENT - 1)) != 0) {
      CLinker.freeMemory(base);
      throw new IllegalStateException("malloc returned memory not aligned to " + ALIGNMENT + " bytes");
    }
    return base;
  }

  private void free(MemoryAddress address, long bytes) {
    try {
      if (mmap != null) {
        int ignored = (int) munmap.invokeExact(address, bytes);
      } else {
        CLinker.freeMemory(address);
      }
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("freeing a packed weight failed", t);
    }
  }

  /**
   * Hands the memory of freed weight arrays back to the operating system (glibc's {@code malloc_trim}). The
   * arrays a model's weights were packed from are freed in the middle of the heap, where glibc keeps them
   * resident until reused: without this, packing llama-75m left ~130 MB more resident than PyTorch's linear.
   */
  public void releaseFreedMemory() {
    if (mallocTrim == null) {
      return;
    }
    try {
      int ignored = (int) mallocTrim.invokeExact(0L);
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("malloc_trim failed", t);
    }
  }

  /** The data of a contiguous CPU array (a non-contiguous one would hand MKL a copy, and lose a write). */
  private static MemoryAddress address(PtNDArray array) {
    if (!ai.djl.Device.Type.CPU.equals(array.getDevice().getDeviceType())) {
      throw new IllegalArgumentException("packed GEMM runs on the CPU, got an array on " + array.getDevice());
    }
    return MemorySegment.ofByteBuffer(JniUtils.getByteBuffer(array, true)).address();
  }
}
