package dev.robin.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The shape and constants of a Llama-family model, read from a Hugging Face {@code config.json}.
 *
 * @param architecture one of {@link #SUPPORTED_ARCHITECTURES}
 * @param headDim per-head dimension; {@code hiddenSize / numAttentionHeads} unless the config says otherwise
 * @param attentionBias whether q/k/v projections have biases (Qwen2 always does)
 * @param ropeScaling null, or the {@code rope_scaling} settings of type {@code llama3} or {@code linear}
 * @param eosTokenIds every id that ends generation (config and generation_config may list several)
 * @param slidingWindow null when every layer attends to the whole context, else the window and its layers
 */
public record ModelConfig(
    String architecture,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vocabSize,
    int maxPositionEmbeddings,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    Integer bosTokenId,
    List<Integer> eosTokenIds,
    String torchDtype,
    SlidingWindow slidingWindow) {

  public static final Set<String> SUPPORTED_ARCHITECTURES =
      Set.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM");

  /**
   * {@code rope_scaling}: {@code type} is {@code linear} (positions divided by {@code factor}) or
   * {@code llama3} (frequency-dependent scaling with the low/high frequency factors).
   */
  public record RopeScaling(
      String type,
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositionEmbeddings) {}

  /**
   * Sliding-window attention as Hugging Face transformers applies it: in the listed layers a query at position
   * {@code q} sees only keys at positions {@code p} with {@code q - size < p <= q}, i.e. {@code size} keys
   * itself included (transformers' {@code masking_utils.sliding_window_overlay}: {@code kv_idx > q_idx -
   * sliding_window}, and-ed with {@code causal_mask_function}: {@code kv_idx <= q_idx}).
   *
   * @param size keys a query sees, itself included; positive
   * @param layers the layers that use the window, ascending; never empty
   */
  public record SlidingWindow(int size, List<Integer> layers) {
    public SlidingWindow {
      if (size <= 0) {
        throw new IllegalArgumentException("sliding window must be positive, got " + size);
      }
      layers = List.copyOf(layers);
      if (layers.isEmpty()) {
        throw new IllegalArgumentException("a sliding window needs at least one layer");
      }
    }

    /** A window on each of the first {@code numLayers} layers (Mistral). */
    public static SlidingWindow everyLayer(int size, int numLayers) {
      return new SlidingWindow(size, IntStream.range(0, numLayers).boxed().toList());
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads {@code config.json} of a model directory, failing with a message that names the problem. */
  public static ModelConfig read(Path modelDir) {
    Path file = modelDir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("no config.json in model directory " + modelDir);
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException("config.json of " + modelDir + " is not valid JSON: " + e.getMessage(), e);
    }
    return withGenerationEosIds(fromJson(root, file.toString()), modelDir.resolve("generation_config.json"));
  }

  /**
   * Adds the end-of-sequence ids of {@code generation_config.json}, which instruct models often list there
   * only (e.g. an end-of-turn token beside the end-of-text one that config.json names).
   */
  private static ModelConfig withGenerationEosIds(ModelConfig c, Path generationConfig) {
    if (!Files.isRegularFile(generationConfig)) {
      return c;
    }
    JsonNode root;
    try {
      root = JSON.readTree(generationConfig.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(generationConfig + " is not valid JSON: " + e.getMessage(), e);
    }
    List<Integer> eos = new ArrayList<>(c.eosTokenIds());
    for (Integer id : intList(root == null ? null : root.path("eos_token_id"))) {
      if (!eos.contains(id)) {
        eos.add(id);
      }
    }
    if (eos.equals(c.eosTokenIds())) {
      return c;
    }
    return new ModelConfig(c.architecture, c.hiddenSize, c.intermediateSize, c.numHiddenLayers,
        c.numAttentionHeads, c.numKeyValueHeads, c.headDim, c.vocabSize, c.maxPositionEmbeddings, c.rmsNormEps,
        c.ropeTheta, c.ropeScaling, c.tieWordEmbeddings, c.attentionBias, c.bosTokenId, List.copyOf(eos),
        c.torchDtype, c.slidingWindow);
  }

  /** Parses a config.json tree; {@code source} names it in error messages. */
  public static ModelConfig fromJson(JsonNode root, String source) {
    JsonNode archs = root.path("architectures");
    String arch = archs.isArray() && archs.size() > 0 ? archs.get(0).asText() : null;
    if (arch == null) {
      throw new ModelLoadException(source + ": no \"architectures\" entry");
    }
    if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
      throw new ModelLoadException(
          source + ": unsupported architecture " + arch + " (supported: "
              + String.join(", ", SUPPORTED_ARCHITECTURES.stream().sorted().toList()) + ")");
    }
    int hidden = requiredInt(root, "hidden_size", source);
    int heads = requiredInt(root, "num_attention_heads", source);
    int kvHeads = root.path("num_key_value_heads").isNumber() ? root.get("num_key_value_heads").asInt() : heads;
    if (kvHeads <= 0 || kvHeads > heads) {
      throw new ModelLoadException(
          source + ": num_key_value_heads " + kvHeads + " must be between 1 and num_attention_heads " + heads);
    }
    int headDim;
    if (root.path("head_dim").isNumber()) {
      headDim = root.get("head_dim").asInt();
      if (headDim <= 0 || headDim % 2 != 0) {
        throw new ModelLoadException(source + ": head_dim " + headDim + " must be a positive even number");
      }
    } else if (hidden % heads != 0) {
      throw new ModelLoadException(
          source + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads
              + " and no head_dim is given");
    } else {
      headDim = hidden / heads;
    }
    if (heads % kvHeads != 0) {
      throw new ModelLoadException(
          source + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    }
    String hiddenAct = root.path("hidden_act").asText("silu");
    if (!hiddenAct.equals("silu")) {
      throw new ModelLoadException(source + ": unsupported hidden_act " + hiddenAct + " (only silu)");
    }
    boolean qwen = arch.equals("Qwen2ForCausalLM");
    int numLayers = requiredInt(root, "num_hidden_layers", source);
    return new ModelConfig(
        arch,
        hidden,
        requiredInt(root, "intermediate_size", source),
        numLayers,
        heads,
        kvHeads,
        headDim,
        requiredInt(root, "vocab_size", source),
        root.path("max_position_embeddings").asInt(2048),
        root.path("rms_norm_eps").asDouble(1e-6),
        root.path("rope_theta").asDouble(10000.0),
        ropeScaling(root.path("rope_scaling"), source),
        root.path("tie_word_embeddings").asBoolean(false),
        qwen || root.path("attention_bias").asBoolean(false),
        root.path("bos_token_id").isNumber() ? root.get("bos_token_id").asInt() : null,
        intList(root.path("eos_token_id")),
        // transformers 4.56+ writes "dtype" where older versions wrote "torch_dtype".
        root.path("torch_dtype").asText(root.path("dtype").asText("float32")),
        slidingWindow(root, arch, numLayers, source));
  }

  /** transformers' default {@code sliding_window} of MistralConfig and Qwen2Config when the key is absent. */
  private static final int DEFAULT_SLIDING_WINDOW = 4096;
  /** Qwen2Config's default {@code max_window_layers}. */
  private static final int DEFAULT_MAX_WINDOW_LAYERS = 28;

  /**
   * Which layers slide, per transformers' MistralConfig and Qwen2Config (main, 2025: configuration_qwen2.py at
   * caa3177, configuration_mistral.py at 0b07a74); LlamaConfig has no window.
   * MistralConfig keeps {@code sliding_window} as given (4096 when the key is absent, none when null) and
   * every Mistral layer uses it. Qwen2Config sets {@code sliding_window = None} unless {@code
   * use_sliding_window}; its {@code layer_types} (when given) name each layer {@code sliding_attention} or
   * {@code full_attention}, else a layer slides when {@code i >= max_window_layers}: the first
   * max_window_layers layers attend to everything, the later ones slide. A sliding layer type with no window
   * (use_sliding_window false) attends to everything, as Qwen2Attention then gets {@code sliding_window=None}.
   */
  private static SlidingWindow slidingWindow(JsonNode root, String arch, int numLayers, String source) {
    boolean mistral = arch.equals("MistralForCausalLM");
    boolean qwen = arch.equals("Qwen2ForCausalLM");
    if (!mistral && !(qwen && root.path("use_sliding_window").asBoolean(false))) {
      return null;
    }
    JsonNode size = root.get("sliding_window");
    if (size != null && size.isNull()) {
      return null;
    }
    if (size != null && (!size.canConvertToInt() || !size.isIntegralNumber() || size.asInt() <= 0)) {
      throw new ModelLoadException(source + ": sliding_window " + size + " must be a positive integer or null");
    }
    int window = size == null ? DEFAULT_SLIDING_WINDOW : size.asInt();
    if (mistral) {
      return SlidingWindow.everyLayer(window, numLayers);
    }
    List<Integer> sliding = new ArrayList<>();
    JsonNode types = root.get("layer_types");
    if (types != null && !types.isNull()) {
      if (!types.isArray() || types.size() != numLayers) {
        throw new ModelLoadException(
            source + ": layer_types must list one attention type per layer (" + numLayers + ")");
      }
      for (int i = 0; i < numLayers; i++) {
        String type = types.get(i).asText();
        if (type.equals("sliding_attention")) {
          sliding.add(i);
        } else if (!type.equals("full_attention")) {
          throw new ModelLoadException(source + ": unsupported layer_types entry \"" + type
              + "\" (full_attention, sliding_attention)");
        }
      }
    } else {
      JsonNode max = root.get("max_window_layers");
      int firstSliding = max == null || max.isNull() ? DEFAULT_MAX_WINDOW_LAYERS : max.asInt();
      for (int i = Math.max(0, firstSliding); i < numLayers; i++) {
        sliding.add(i);
      }
    }
    return sliding.isEmpty() ? null : new SlidingWindow(window, sliding);
  }

  private static RopeScaling ropeScaling(JsonNode node, String source) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return null;
    }
    String type = node.has("rope_type") ? node.get("rope_type").asText() : node.path("type").asText();
    if (type.equals("default")) {
      return null;
    }
    if (!type.equals("llama3") && !type.equals("linear")) {
      throw new ModelLoadException(source + ": unsupported rope_scaling type \"" + type + "\" (llama3, linear)");
    }
    return new RopeScaling(
        type,
        node.path("factor").asDouble(1.0),
        node.path("low_freq_factor").asDouble(1.0),
        node.path("high_freq_factor").asDouble(4.0),
        node.path("original_max_position_embeddings").asInt(8192));
  }

  private static int requiredInt(JsonNode root, String field, String source) {
    JsonNode n = root.get(field);
    if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
      throw new ModelLoadException(source + ": missing or invalid \"" + field + "\"");
    }
    return n.asInt();
  }

  private static List<Integer> intList(JsonNode node) {
    List<Integer> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isNumber()) {
      out.add(node.asInt());
    } else if (node.isArray()) {
      node.forEach(n -> {
        if (n.isIntegralNumber()) {
          out.add(n.asInt());
        }
      });
    }
    return List.copyOf(out);
  }

  public int numQueriesPerKv() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** The window of layer {@code layer}: how many keys a query sees, itself included; 0 for the whole context. */
  public int slidingWindowOf(int layer) {
    return slidingWindow != null && slidingWindow.layers().contains(layer) ? slidingWindow.size() : 0;
  }
}
