package dev.robin.engine.synthetic;

import dev.robin.engine.checkpoint.LlamaTensorLayout;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.config.ModelConfig;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shapes of Robin's synthetic Llama models (vLLM's "dummy" weights): deterministic random weights and
 * Robin's own 512-token tokenizer, so benchmarks and demos run on a fresh machine without a download. Their
 * text is noise; their cost per token is that of a real model of the same shape. All have
 * {@value #MAX_POSITION_EMBEDDINGS} positions, RoPE theta 10000 and RMSNorm epsilon 1e-5.
 */
public enum SyntheticPreset {
  /** About 3 M parameters: the built-in demo model and the test model. */
  TINY("tiny", 256, 688, 4, 4, 2, true, 0x7E1A_0001L),
  /** About 25 M parameters, multi-head attention (8 KV heads), tied embeddings. */
  LLAMA_25M("llama-25m", 512, 1408, 8, 8, 8, true, 0x7E1A_0025L),
  /** About 76 M parameters, grouped-query attention (12 query / 4 KV heads), separate {@code lm_head}. */
  LLAMA_75M("llama-75m", 768, 2048, 12, 12, 4, false, 0x7E1A_0075L);

  public static final int VOCAB_SIZE = SyntheticTokenizer.VOCAB_SIZE;
  public static final int MAX_POSITION_EMBEDDINGS = 2048;
  public static final double RMS_NORM_EPS = 1e-5;
  public static final double ROPE_THETA = 10000.0;
  /** Standard deviation of every embedding and projection weight (Llama's initializer_range). */
  public static final float INIT_STD = 0.02f;

  private final String id;
  private final int hiddenSize;
  private final int intermediateSize;
  private final int numLayers;
  private final int numHeads;
  private final int numKvHeads;
  private final boolean tiedEmbeddings;
  private final long seed;

  SyntheticPreset(String id, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
      boolean tiedEmbeddings, long seed) {
    this.id = id;
    this.hiddenSize = hiddenSize;
    this.intermediateSize = intermediateSize;
    this.numLayers = numLayers;
    this.numHeads = numHeads;
    this.numKvHeads = numKvHeads;
    this.tiedEmbeddings = tiedEmbeddings;
    this.seed = seed;
  }

  /** The name used in {@code synthetic:NAME} and {@code --preset NAME}, e.g. {@code llama-25m}. */
  public String id() {
    return id;
  }

  /** The base seed of the weight generator. */
  public long seed() {
    return seed;
  }

  /** The model's config, as its written {@code config.json} reads back. */
  public ModelConfig config() {
    return new ModelConfig(
        "LlamaForCausalLM",
        hiddenSize,
        intermediateSize,
        numLayers,
        numHeads,
        numKvHeads,
        hiddenSize / numHeads,
        VOCAB_SIZE,
        MAX_POSITION_EMBEDDINGS,
        RMS_NORM_EPS,
        ROPE_THETA,
        null,
        tiedEmbeddings,
        false,
        SyntheticTokenizer.BOS_ID,
        SyntheticTokenizer.EOS_IDS,
        "float32",
        null); // a Llama: no sliding window
  }

  public long numParameters() {
    return LlamaTensorLayout.numParameters(config());
  }

  /** The preset called {@code name}; fails listing the presets when there is none. */
  public static SyntheticPreset fromName(String name) {
    for (SyntheticPreset p : values()) {
      if (p.id.equals(name)) {
        return p;
      }
    }
    throw new ModelLoadException("unknown synthetic model preset \"" + name + "\" (presets: " + names() + ")");
  }

  /** The preset names, comma-separated, for messages and help texts. */
  public static String names() {
    return Arrays.stream(values()).map(SyntheticPreset::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
