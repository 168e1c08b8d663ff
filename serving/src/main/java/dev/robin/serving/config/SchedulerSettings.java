package dev.robin.serving.config;

import com.typesafe.config.Config;
import dev.robin.engine.scheduler.SchedulerConfig;
import java.util.Set;

/** Reads the {@code robin.engine.scheduler} block of conf/application.conf into a {@link SchedulerConfig}. */
public final class SchedulerSettings {

  /** Config path of the block. */
  public static final String PATH = "robin.engine.scheduler";

  private SchedulerSettings() {}

  /**
   * The scheduler settings for one model.
   *
   * @param config the whole application config
   * @param modelMaxLen the model's own context ({@code max_position_embeddings}); {@code max-model-len = 0}
   *     takes it, a positive setting may only shorten it
   * @param eosTokenIds the model's end-of-sequence ids
   */
  public static SchedulerConfig fromConfig(Config config, int modelMaxLen, Set<Integer> eosTokenIds) {
    Config c = config.getConfig(PATH);
    int maxModelLen = c.getInt("max-model-len");
    if (maxModelLen < 0) {
      throw new IllegalArgumentException(PATH + ".max-model-len must be >= 0, got " + maxModelLen);
    }
    int budget = positive(c, "max-num-batched-tokens");
    int maxNumSeqs = positive(c, "max-num-seqs");
    int maxNumWaiting = positive(c, "max-num-waiting");
    int blockSize = positive(c, "block-size");
    int maxPrefillWhileDecoding = positive(c, "max-prefill-tokens-while-decoding");
    int prefillPerDecoding = c.getInt("prefill-tokens-per-decoding-sequence");
    if (prefillPerDecoding < 0) {
      throw new IllegalArgumentException(
          PATH + ".prefill-tokens-per-decoding-sequence must not be negative, got " + prefillPerDecoding);
    }
    try {
      return new SchedulerConfig(
          budget,
          maxNumSeqs,
          maxNumWaiting,
          blockSize,
          maxModelLen == 0 ? modelMaxLen : Math.min(maxModelLen, modelMaxLen),
          eosTokenIds,
          c.getBoolean("enable-prefix-caching"),
          maxPrefillWhileDecoding,
          prefillPerDecoding);
    } catch (IllegalArgumentException e) {
      // The record's cross-field checks name Java components; say which block they come from.
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }

  /** An operator sees the key they set, not a Java parameter name. */
  private static int positive(Config c, String key) {
    int value = c.getInt(key);
    if (value <= 0) {
      throw new IllegalArgumentException(PATH + "." + key + " must be positive, got " + value);
    }
    return value;
  }
}
