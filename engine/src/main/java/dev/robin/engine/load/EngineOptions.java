package dev.robin.engine.load;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.scheduler.SchedulerConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * How a model is loaded and served on one replica.
 *
 * @param device where weights, KV cache and activations live (CPU here; a GPU through the same DJL path)
 * @param computeDtype {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
 * @param kvCacheBytes memory budget of the paged KV cache; the number of blocks is derived from it
 * @param scheduler the scheduler's settings for a model of a given context length and EOS ids
 * @param syntheticRoot where {@code synthetic:PRESET} models are written; null for the default cache
 * @param packedGemm whether float32 projections on the CPU may use MKL's packed GEMM (see
 *     {@link dev.robin.engine.gemm.ProjectionFactory}); false keeps PyTorch's {@code linear}
 */
public record EngineOptions(
    Device device,
    DataType computeDtype,
    long kvCacheBytes,
    BiFunction<Integer, Set<Integer>, SchedulerConfig> scheduler,
    Path syntheticRoot,
    boolean packedGemm) {

  /** CPU, float32, 256 MiB of KV cache, the scheduler's defaults, packed GEMM where possible. */
  public static EngineOptions defaults() {
    return new EngineOptions(Device.cpu(), DataType.FLOAT32, 256L << 20, SchedulerConfig::defaults, null, true);
  }

  public EngineOptions withDtype(DataType dtype) {
    return new EngineOptions(device, dtype, kvCacheBytes, scheduler, syntheticRoot, packedGemm);
  }

  public EngineOptions withKvCacheBytes(long bytes) {
    return new EngineOptions(device, computeDtype, bytes, scheduler, syntheticRoot, packedGemm);
  }

  public EngineOptions withScheduler(BiFunction<Integer, Set<Integer>, SchedulerConfig> value) {
    return new EngineOptions(device, computeDtype, kvCacheBytes, value, syntheticRoot, packedGemm);
  }

  public EngineOptions withPackedGemm(boolean value) {
    return new EngineOptions(device, computeDtype, kvCacheBytes, scheduler, syntheticRoot, value);
  }

  /** Parses {@code float32} or {@code float16} (also {@code fp32}, {@code fp16}, {@code half}). */
  public static DataType parseDtype(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "float32", "fp32", "float" -> DataType.FLOAT32;
      case "float16", "fp16", "half" -> DataType.FLOAT16;
      default -> throw new IllegalArgumentException(
          "unsupported compute dtype \"" + name + "\" (float32 or float16; bfloat16 is not supported by DJL's "
              + "PyTorch engine and is converted at load)");
    };
  }

  /**
   * Parses a device as operators write it: {@code cpu}, {@code gpu} (the first GPU), {@code gpu1}, {@code gpu(1)},
   * {@code gpu:1}, {@code cuda:1} (also as DJL prints devices: {@code cpu()}, {@code gpu(1)}).
   */
  public static Device parseDevice(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace("cuda", "gpu").replaceAll("[():\\s]", "");
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    if (n.equals("gpu")) {
      return Device.gpu();
    }
    if (n.matches("gpu\\d+")) {
      return Device.gpu(Integer.parseInt(n.substring(3)));
    }
    throw new IllegalArgumentException(
        "unknown device \"" + name + "\" (cpu, gpu, gpu1, gpu(1), gpu:1 or cuda:1)");
  }
}
