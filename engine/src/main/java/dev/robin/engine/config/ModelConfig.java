package dev.robin.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.checkpoint.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shape and constants of a Llama-family model, read from a Hugging Face {@code config.json}.
 *
 * @param architecture one of {@link #SUPPORTED_ARCHITECTURES}
 * @param headDim per-head dimension; {@code hiddenSize / numAttentionHeads} unless the config says otherwise
 * @param attentionBias whether q/k/v projections have biases (Qwen2 always does)
 * @param ropeScaling null, or the {@code rope_scaling} settings of type {@code llama3} or {@code linear}
 * @param eosTokenIds every id that ends generation (config and generation_config may list several)
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
    String torchDtype) {

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
        c.torchDtype);
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
    return new ModelConfig(
        arch,
        hidden,
        requiredInt(root, "intermediate_size", source),
        requiredInt(root, "num_hidden_layers", source),
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
        root.path("torch_dtype").asText(root.path("dtype").asText("float32")));
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
}
