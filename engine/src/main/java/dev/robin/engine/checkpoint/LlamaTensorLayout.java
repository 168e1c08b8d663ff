package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.config.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The tensors a Llama-family checkpoint holds, with the shapes its config implies, in Hugging Face naming
 * ({@code [out, in]} for every projection). One place that knows the layout, for writers of synthetic
 * models and for checks that a checkpoint is complete.
 */
public final class LlamaTensorLayout {

  /** What a tensor is, which decides how a synthetic model initialises it. */
  public enum Kind {
    EMBEDDING,
    LINEAR,
    BIAS,
    NORM
  }

  /** One expected tensor. */
  public record TensorSpec(String name, Kind kind, long[] shape) {

    public long numElements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private LlamaTensorLayout() {}

  /**
   * Every tensor of {@code config}'s model in checkpoint order: embeddings, then each layer's norms,
   * attention and MLP, then the final norm and (unless embeddings are tied) {@code lm_head.weight}.
   */
  public static List<TensorSpec> of(ModelConfig config) {
    long hidden = config.hiddenSize();
    long qDim = (long) config.numAttentionHeads() * config.headDim();
    long kvDim = (long) config.numKeyValueHeads() * config.headDim();
    long inter = config.intermediateSize();
    List<TensorSpec> out = new ArrayList<>();
    out.add(new TensorSpec("model.embed_tokens.weight", Kind.EMBEDDING, new long[] {config.vocabSize(), hidden}));
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      String p = "model.layers." + i + ".";
      out.add(new TensorSpec(p + "input_layernorm.weight", Kind.NORM, new long[] {hidden}));
      out.add(new TensorSpec(p + "self_attn.q_proj.weight", Kind.LINEAR, new long[] {qDim, hidden}));
      out.add(new TensorSpec(p + "self_attn.k_proj.weight", Kind.LINEAR, new long[] {kvDim, hidden}));
      out.add(new TensorSpec(p + "self_attn.v_proj.weight", Kind.LINEAR, new long[] {kvDim, hidden}));
      if (config.attentionBias()) {
        out.add(new TensorSpec(p + "self_attn.q_proj.bias", Kind.BIAS, new long[] {qDim}));
        out.add(new TensorSpec(p + "self_attn.k_proj.bias", Kind.BIAS, new long[] {kvDim}));
        out.add(new TensorSpec(p + "self_attn.v_proj.bias", Kind.BIAS, new long[] {kvDim}));
      }
      out.add(new TensorSpec(p + "self_attn.o_proj.weight", Kind.LINEAR, new long[] {hidden, qDim}));
      out.add(new TensorSpec(p + "post_attention_layernorm.weight", Kind.NORM, new long[] {hidden}));
      out.add(new TensorSpec(p + "mlp.gate_proj.weight", Kind.LINEAR, new long[] {inter, hidden}));
      out.add(new TensorSpec(p + "mlp.up_proj.weight", Kind.LINEAR, new long[] {inter, hidden}));
      out.add(new TensorSpec(p + "mlp.down_proj.weight", Kind.LINEAR, new long[] {hidden, inter}));
    }
    out.add(new TensorSpec("model.norm.weight", Kind.NORM, new long[] {hidden}));
    if (!config.tieWordEmbeddings()) {
      out.add(new TensorSpec("lm_head.weight", Kind.LINEAR, new long[] {config.vocabSize(), hidden}));
    }
    return Collections.unmodifiableList(out);
  }

  /** Total parameters of {@code config}'s model (tied embeddings counted once). */
  public static long numParameters(ModelConfig config) {
    return of(config).stream().mapToLong(TensorSpec::numElements).sum();
  }

  /**
   * Checks, from the headers alone, that {@code checkpoint} holds every tensor its config implies, with that
   * shape and a dtype Robin reads, so a loader fails before reading any data. The message lists every
   * problem (up to ten), naming tensor, found and expected shape.
   */
  public static void verify(Checkpoint checkpoint) {
    List<String> problems = new ArrayList<>();
    for (TensorSpec t : of(checkpoint.config())) {
      SafetensorsFile.Entry e = checkpoint.entry(t.name());
      if (e == null) {
        problems.add("missing " + t.name() + " " + Arrays.toString(t.shape()));
      } else if (!Arrays.equals(e.shape(), t.shape())) {
        problems.add(t.name() + " has shape " + Arrays.toString(e.shape()) + ", the config implies "
            + Arrays.toString(t.shape()));
      } else if (!SafetensorsDtype.valueOf(e.dtype()).isReadable()) {
        problems.add(t.name() + " has unsupported dtype " + e.dtype() + " (" + SafetensorsDtype.readableNames()
            + ")");
      }
    }
    if (!problems.isEmpty()) {
      int shown = Math.min(problems.size(), 10);
      throw new ModelLoadException(checkpoint.directory() + ": " + problems.size() + " tensor problem(s) for "
          + checkpoint.config().architecture() + ": " + String.join("; ", problems.subList(0, shown))
          + (shown < problems.size() ? "; ..." : ""));
    }
  }
}
