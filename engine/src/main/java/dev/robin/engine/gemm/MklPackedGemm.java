package dev.robin.engine.gemm;

import static jdk.incubator.foreign.CLinker.C_FLOAT;
import static jdk.incubator.foreign.CLinker.C_INT;
import static jdk.incubator.foreign.CLinker.C_LONG;
import static jdk.incubator.foreign.CLinker.C_POINTER;

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
import jdk.incubator.foreign.MemoryLayout;
import jdk.incubator.foreign.MemorySegment;
import jdk.incubator.foreign.SymbolLookup;

/**
 * Intel MKL's packed SGEMM ({@code cblas_sgemm_pack} / {@code cblas_sgemm_compute}), called through the JDK's
 * foreign linker in the very PyTorch library DJL has loaded, which exports it.
 *
 * <p>Why: PyTorch's {@code linear} hands MKL an unpacked weight, and MKL copies it into its kernel's panel
 * layout on every call ({@code sgemm_scopy_right48}, a large share of a batched step). Packing each weight once
 * at load removes that copy (docs/benchmarks.md, "Packed GEMM"). DJL exposes no packed GEMM, and PyTorch's own
 * {@code mkl::_mkl_linear} op is only reachable through TorchScript.
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

  /**
   * Kept apart so that no foreign-API class is touched before {@link #load} checked the module is there: the
   * verifier loads the foreign types of a class's method signatures and calls with it.
   */
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
      MethodHandle hSize = downcall(size.get(), C_LONG, C_INT, C_INT, C_INT, C_INT);
      MethodHandle hPack = downcall(pack.get(), null,
          C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_FLOAT, C_POINTER, C_INT, C_POINTER);
      MethodHandle hCompute = downcall(compute.get(), null,
          C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_FLOAT, C_POINTER, C_INT);
      SymbolLookup libc = CLinker.systemLookup();
      MethodHandle hTrim = libc.lookup("malloc_trim").map(trim -> downcall(trim, C_INT, C_LONG)).orElse(null);
      Optional<MemoryAddress> mmapSymbol = libc.lookup("mmap");
      Optional<MemoryAddress> munmapSymbol = libc.lookup("munmap");
      MethodHandle hMmap = null;
      MethodHandle hMunmap = null;
      boolean linux = System.getProperty("os.name", "").startsWith("Linux"); // the flag values below are Linux's
      if (linux && mmapSymbol.isPresent() && munmapSymbol.isPresent()) {
        hMmap = downcall(mmapSymbol.get(), C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG);
        hMunmap = downcall(munmapSymbol.get(), C_INT, C_POINTER, C_LONG);
      }
      return new Loaded(Optional.of(new MklPackedGemm(hSize, hPack, hCompute, hTrim, hMmap, hMunmap)),
          "MKL packed SGEMM");
    }

    /**
     * A handle for the C function at {@code symbol}; its Java types follow from the C layouts, so the two can
     * never disagree.
     *
     * @param result the return layout, or null for {@code void}
     */
    private static MethodHandle downcall(MemoryAddress symbol, MemoryLayout result, MemoryLayout... arguments) {
      Class<?>[] carriers = new Class<?>[arguments.length];
      for (int i = 0; i < arguments.length; i++) {
        carriers[i] = carrier(arguments[i]);
      }
      MethodType type = MethodType.methodType(result == null ? void.class : carrier(result), carriers);
      FunctionDescriptor descriptor =
          result == null ? FunctionDescriptor.ofVoid(arguments) : FunctionDescriptor.of(result, arguments);
      return CLinker.getInstance().downcallHandle(symbol, type, descriptor);
    }

    private static Class<?> carrier(MemoryLayout layout) {
      if (layout.equals(C_INT)) {
        return int.class;
      } else if (layout.equals(C_LONG)) {
        return long.class;
      } else if (layout.equals(C_FLOAT)) {
        return float.class;
      } else if (layout.equals(C_POINTER)) {
        return MemoryAddress.class;
      }
      throw new IllegalArgumentException("no Java carrier for " + layout);
    }
  }

  /** A native call; its checked {@code Throwable} (from {@code invokeExact}) is rethrown unchecked. */
  private interface NativeCall<T> {
    T run() throws Throwable;
  }

  private static <T> T call(String function, NativeCall<T> body) {
    try {
      return body.run();
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(function + " failed", t);
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
    long bytes = call("cblas_sgemm_pack_get_size", () -> (long) packSize.invokeExact(B_MATRIX, rowsHint, n, k));
    MemoryAddress packed = allocate(bytes);
    try {
      MemoryAddress src = address(weight);
      call("cblas_sgemm_pack", () -> {
        pack.invokeExact(ROW_MAJOR, B_MATRIX, TRANS, rowsHint, n, k, 1.0f, src, k, packed);
        return null;
      });
    } catch (RuntimeException | Error e) {
      free(packed, bytes);
      throw e;
    }
    return new PackedMatrix(n, k, packed, bytes, this::free);
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
    call("cblas_sgemm_compute", () -> {
      compute.invokeExact(ROW_MAJOR, NO_TRANS, PACKED, (int) m, w.rows(), w.columns(), a, w.columns(),
          w.address(), w.columns(), beta, c, w.rows());
      return null;
    });
  }

  // MKL's size is an upper bound, often several times the weight. Fresh anonymous pages are committed only where MKL
  // writes; malloc could hand out a hole the freed weight arrays left, resident whether written or not.
  private MemoryAddress allocate(long bytes) {
    if (mmap != null) {
      MemoryAddress pages = call("mmap", () -> (MemoryAddress) mmap.invokeExact(MemoryAddress.NULL, bytes,
          PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L));
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
    if (mmap != null) {
      call("munmap", () -> (int) munmap.invokeExact(address, bytes));
    } else {
      CLinker.freeMemory(address);
    }
  }

  /**
   * Hands the memory of freed weight arrays back to the operating system (glibc's {@code malloc_trim}). The
   * arrays a model's weights were packed from are freed in the middle of the heap, where glibc keeps them
   * resident until reused: without this, packing left the freed arrays' memory resident on top of the packed
   * copies (docs/benchmarks.md, "Packed GEMM: memory before its own mappings").
   */
  public void releaseFreedMemory() {
    if (mallocTrim == null) {
      return;
    }
    call("malloc_trim", () -> (int) mallocTrim.invokeExact(0L));
  }

  /** The data of a contiguous CPU array (a non-contiguous one would hand MKL a copy, and lose a write). */
  private static MemoryAddress address(PtNDArray array) {
    if (!ai.djl.Device.Type.CPU.equals(array.getDevice().getDeviceType())) {
      throw new IllegalArgumentException("packed GEMM runs on the CPU, got an array on " + array.getDevice());
    }
    return MemorySegment.ofByteBuffer(JniUtils.getByteBuffer(array, true)).address();
  }
}
