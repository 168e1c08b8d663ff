package dev.robin.engine.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.LlamaTensorLayout;
import dev.robin.engine.checkpoint.LlamaTensorLayout.TensorSpec;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.checkpoint.SafetensorsDtype;
import dev.robin.engine.checkpoint.SafetensorsWriter;
import dev.robin.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a synthetic model as a standard Hugging Face model directory — {@code config.json}
 * ({@code LlamaForCausalLM}, float32), {@code generation_config.json}, {@code model.safetensors}, the
 * tokenizer files and a short README — which Robin then loads through {@link Checkpoint#open} like any
 * real checkpoint, and which transformers or vLLM can load too.
 *
 * <p>Weights: embeddings and projections normal(0, {@value SyntheticPreset#INIT_STD}), RMSNorm weights one,
 * biases (none in the presets) zero; generated tensor by tensor while writing, so memory stays small.
 */
public final class SyntheticModelWriter {

  /** What was written: the directory, its files, and the model's size. */
  public record WrittenModel(SyntheticPreset preset, Path directory, List<Path> files, long numParameters,
      long numBytes) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SyntheticModelWriter() {}

  /** Writes {@code preset} into {@code dir} (created if absent; files of the same names are replaced). */
  public static WrittenModel write(SyntheticPreset preset, Path dir) {
    return write(preset, dir, SafetensorsDtype.F32);
  }

  /**
   * Writes {@code preset} with weights stored as {@code dtype} (F32, F16 or BF16; {@code torch_dtype} says
   * which). The values are the float32 ones rounded to nearest even, so each dtype is deterministic too.
   */
  public static WrittenModel write(SyntheticPreset preset, Path dir, SafetensorsDtype dtype) {
    String torchDtype = switch (dtype) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
      default -> throw new IllegalArgumentException("synthetic weights are F32, F16 or BF16, not " + dtype);
    };
    try {
      Files.createDirectories(dir);
      ModelConfig config = preset.config();
      List<Path> files = new ArrayList<>();
      ObjectNode configJson = configJson(config);
      configJson.put("torch_dtype", torchDtype);
      files.add(writeJson(dir.resolve("config.json"), configJson));
      files.add(writeJson(dir.resolve("generation_config.json"), generationConfigJson()));
      Path weights = dir.resolve(Checkpoint.SINGLE_FILE);
      weightsWriter(preset, config, dtype).write(weights);
      files.add(weights);
      files.addAll(SyntheticTokenizer.get().writeTo(dir));
      Path readme = dir.resolve("README.md");
      Files.writeString(readme, readme(preset, config));
      files.add(readme);
      long numBytes = 0;
      for (Path f : files) {
        numBytes += Files.size(f);
      }
      return new WrittenModel(preset, dir, List.copyOf(files), preset.numParameters(), numBytes);
    } catch (IOException e) {
      throw new ModelLoadException("cannot write synthetic model " + preset + " to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static SafetensorsWriter weightsWriter(SyntheticPreset preset, ModelConfig config, SafetensorsDtype dtype) {
    SafetensorsWriter w = new SafetensorsWriter();
    for (TensorSpec t : LlamaTensorLayout.of(config)) {
      w.add(t.name(), dtype, t.shape(), out -> fill(preset, t, out));
    }
    return w;
  }

  private static void fill(SyntheticPreset preset, TensorSpec t, float[] out) {
    switch (t.kind()) {
      case EMBEDDING, LINEAR -> SyntheticWeights.fillNormal(preset.seed(), t.name(), SyntheticPreset.INIT_STD, out);
      case NORM -> Arrays.fill(out, 1.0f);
      case BIAS -> Arrays.fill(out, 0.0f);
      default -> throw new IllegalStateException("unreachable: " + t.kind());
    }
  }

  /** The config.json transformers' {@code LlamaConfig} writes for this shape. */
  static ObjectNode configJson(ModelConfig c) {
    ObjectNode n = JSON.createObjectNode();
    n.putArray("architectures").add(c.architecture());
    n.put("attention_bias", c.attentionBias());
    n.put("attention_dropout", 0.0);
    n.put("bos_token_id", c.bosTokenId());
    ArrayNode eos = n.putArray("eos_token_id");
    c.eosTokenIds().forEach(eos::add);
    n.put("head_dim", c.headDim());
    n.put("hidden_act", "silu");
    n.put("hidden_size", c.hiddenSize());
    n.put("initializer_range", SyntheticPreset.INIT_STD);
    n.put("intermediate_size", c.intermediateSize());
    n.put("max_position_embeddings", c.maxPositionEmbeddings());
    n.put("mlp_bias", false);
    n.put("model_type", "llama");
    n.put("num_attention_heads", c.numAttentionHeads());
    n.put("num_hidden_layers", c.numHiddenLayers());
    n.put("num_key_value_heads", c.numKeyValueHeads());
    n.putNull("pad_token_id");
    n.put("pretraining_tp", 1);
    n.put("rms_norm_eps", c.rmsNormEps());
    n.putNull("rope_scaling");
    n.put("rope_theta", c.ropeTheta());
    n.put("tie_word_embeddings", c.tieWordEmbeddings());
    n.put("torch_dtype", c.torchDtype());
    n.put("use_cache", true);
    n.put("vocab_size", c.vocabSize());
    return n;
  }

  private static ObjectNode generationConfigJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("_from_model_config", true);
    n.put("bos_token_id", SyntheticTokenizer.BOS_ID);
    ArrayNode eos = n.putArray("eos_token_id");
    SyntheticTokenizer.EOS_IDS.forEach(eos::add);
    return n;
  }

  private static Path writeJson(Path file, ObjectNode node) throws IOException {
    JSON.writeValue(file.toFile(), node);
    return file;
  }

  private static String readme(SyntheticPreset preset, ModelConfig c) {
    return "# Robin synthetic model `" + preset.id() + "`\n\n"
        + "A Llama (`LlamaForCausalLM`) with **random weights**: its text is noise. It exists to measure and\n"
        + "test inference servers without a download. Generated by Robin (`bin/robin make-model --preset "
        + preset.id() + "`);\nthe same preset always gives byte-identical files.\n\n"
        + "- parameters: " + preset.numParameters() + "\n"
        + "- hidden " + c.hiddenSize() + ", intermediate " + c.intermediateSize() + ", layers "
        + c.numHiddenLayers() + ", heads " + c.numAttentionHeads() + ", KV heads " + c.numKeyValueHeads()
        + ", vocabulary " + c.vocabSize() + ", max positions " + c.maxPositionEmbeddings()
        + (c.tieWordEmbeddings() ? ", tied embeddings" : ", separate lm_head") + "\n"
        + "- weights: normal(0, " + SyntheticPreset.INIT_STD + "), RMSNorm weights 1, seed "
        + preset.seed() + "\n"
        + "- tokenizer: byte-level BPE, 512 ids (`<|begin_of_text|>`, `<|end_of_text|>`, `<|im_start|>`,\n"
        + "  `<|im_end|>`, 256 bytes, 252 merges), ChatML chat template\n";
  }
}
