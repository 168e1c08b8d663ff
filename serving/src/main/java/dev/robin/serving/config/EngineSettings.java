package dev.robin.serving.config;

import com.typesafe.config.Config;
import dev.robin.engine.load.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code robin.engine} block of conf/application.conf, read once.
 *
 * @param options how each replica loads its model (device, dtype, KV budget, scheduler)
 * @param replicas model actors this node hosts per served model; 0 routes to other nodes' replicas only
 * @param loadTimeout how long serving waits for a model to load
 * @param torchThreads PyTorch intra-op threads; 0 = its default
 */
public record EngineSettings(EngineOptions options, int replicas, Duration loadTimeout, int torchThreads) {

  public static final String PATH = "robin.engine";

  public static EngineSettings from(Config config) {
    Config c = config.getConfig(PATH);
    String syntheticDir = c.getString("synthetic-dir");
    long kvBytes = c.getBytes("kv-cache-bytes");
    if (kvBytes <= 0) {
      throw new IllegalArgumentException(PATH + ".kv-cache-bytes must be positive");
    }
    int replicas = c.getInt("replicas");
    if (replicas < 0) {
      throw new IllegalArgumentException(PATH + ".replicas must not be negative, got " + replicas);
    }
    EngineOptions options = new EngineOptions(
        EngineOptions.parseDevice(c.getString("device")),
        EngineOptions.parseDtype(c.getString("dtype")),
        kvBytes,
        (maxLen, eos) -> SchedulerSettings.fromConfig(config, maxLen, eos),
        syntheticDir.isBlank() ? null : Path.of(syntheticDir),
        c.getBoolean("packed-gemm"));
    int threads = c.getInt("threads");
    if (threads < 0) {
      throw new IllegalArgumentException(PATH + ".threads must not be negative, got " + threads);
    }
    return new EngineSettings(options, replicas, c.getDuration("load-timeout"), threads);
  }
}
