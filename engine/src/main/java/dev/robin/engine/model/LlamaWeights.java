package dev.robin.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.gemm.Projection;
import dev.robin.engine.gemm.ProjectionFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The immutable weights of a Llama-family model as NDArrays on one device, rearranged at load for the fewest
 * ops per step.
 *
 * <p><b>Augmented hidden state.</b> The residual stream carries one extra column (index {@code hidden}) that
 * always holds {@code c = sqrt(hidden * rmsNormEps)}. Then {@code x_aug / ||x_aug||} equals
 * {@code x / sqrt(hidden * (mean(x²) + eps))}, so RMSNorm becomes a single {@code normalize} op followed by a
 * constant {@code sqrt(hidden)} and the norm's weight, both folded into the columns of the next matmul (whose
 * column {@code hidden} is zero). Matmuls writing into the residual stream have a zero last row, so the
 * constant column survives every residual add.
 *
 * <p>Other load-time rearrangements: q, k and v are one matmul; gate and up are one matmul; the attention scale
 * {@code 1/sqrt(headDim)} is folded into the q rows (and q bias). Everything is created on the manager's device
 * in the compute dtype; bfloat16 never reaches DJL (its PyTorch JNI aborts the JVM on it) because
 * {@link TensorSource} hands out float32 data.
 *
 * <p><b>Projections.</b> Every matmul weight becomes a {@link Projection} of the {@link ProjectionFactory} given
 * at load. A packed one (MKL, float32 on the CPU) keeps its own copy, and its array is freed at once, so the
 * weights are not held twice; only a tied LM head is (embedding and packed).
 */
public final class LlamaWeights implements AutoCloseable {

  private final ModelConfig config;
  private final DataType dtype;
  private final NDManager manager;
  private final List<NDArray> all = new ArrayList<>();
  private final List<Projection> projections;
  private final ProjectionFactory factory;

  final PtNDArray embed; // [vocab, hidden+1]; column hidden = sqrt(hidden*eps)
  final Projection[] qkv; // [layers] of [(heads+2*kvHeads)*headDim, hidden+1] (+ bias); q rows scaled by 1/sqrt(headDim)
  final Projection[] o; // [layers] of [hidden+1, heads*headDim]; last row zero
  final Projection[] gateUp; // [layers] of [2*inter, hidden+1]; gate rows then up rows
  final Projection[] down; // [layers] of [hidden+1, inter]; last row zero
  final PtNDArray finalNormScale; // [hidden+1] = sqrt(hidden)*norm weight, 0 last; null if folded in lmHead
  final Projection lmHead; // [vocab, hidden+1]; of the embedding itself when tied

  private LlamaWeights(
      ModelConfig config, DataType dtype, NDManager manager, TensorSource source, ProjectionFactory factory,
      List<Projection> projections) {
    this.projections = projections;
    this.config = config;
    this.dtype = dtype;
    this.manager = manager;
    this.factory = factory;
    int h = config.hiddenSize();
    int layers = config.numHiddenLayers();
    int qDim = config.numAttentionHeads() * config.headDim();
    int kvDim = config.numKeyValueHeads() * config.headDim();
    int inter = config.intermediateSize();
    int vocab = config.vocabSize();
    float c = (float) Math.sqrt(h * config.rmsNormEps());
    float sqrtH = (float) Math.sqrt(h);

    float[] embedData = source.tensor("model.embed_tokens.weight", vocab, h).data();
    embed = upload(augmentColumns(embedData, vocab, h, null, c), vocab, h + 1);

    qkv = new Projection[layers];
    o = new Projection[layers];
    gateUp = new Projection[layers];
    down = new Projection[layers];
    float qScale = (float) (1.0 / Math.sqrt(config.headDim()));
    for (int l = 0; l < layers; l++) {
      String p = "model.layers." + l + ".";
      float[] inNorm = scaled(source.tensor(p + "input_layernorm.weight", h).data(), sqrtH);
      float[] q = source.tensor(p + "self_attn.q_proj.weight", qDim, h).data();
      scaleInPlace(q, qScale);
      float[] k = source.tensor(p + "self_attn.k_proj.weight", kvDim, h).data();
      float[] v = source.tensor(p + "self_attn.v_proj.weight", kvDim, h).data();
      int qkvRows = qDim + 2 * kvDim;
      PtNDArray qkvWeight = upload(augmentColumns(concat(q, k, v), qkvRows, h, inNorm, 0f), qkvRows, h + 1);
      PtNDArray qkvBias = null;
      if (config.attentionBias()) {
        float[] qb = source.tensor(p + "self_attn.q_proj.bias", qDim).data();
        scaleInPlace(qb, qScale);
        float[] kb = source.tensor(p + "self_attn.k_proj.bias", kvDim).data();
        float[] vb = source.tensor(p + "self_attn.v_proj.bias", kvDim).data();
        qkvBias = upload(concat(qb, kb, vb), qkvRows);
      }
      qkv[l] = projection(qkvWeight, qkvBias, false);
      float[] oData = source.tensor(p + "self_attn.o_proj.weight", h, qDim).data();
      o[l] = projection(upload(appendZeroRow(oData, h, qDim), h + 1, qDim), null, false);

      float[] postNorm = scaled(source.tensor(p + "post_attention_layernorm.weight", h).data(), sqrtH);
      float[] gate = source.tensor(p + "mlp.gate_proj.weight", inter, h).data();
      float[] up = source.tensor(p + "mlp.up_proj.weight", inter, h).data();
      gateUp[l] = projection(
          upload(augmentColumns(concat(gate, up), 2 * inter, h, postNorm, 0f), 2 * inter, h + 1), null, false);
      float[] downData = source.tensor(p + "mlp.down_proj.weight", h, inter).data();
      down[l] = projection(upload(appendZeroRow(downData, h, inter), h + 1, inter), null, false);
    }

    float[] finalNorm = scaled(source.tensor("model.norm.weight", h).data(), sqrtH);
    if (config.tieWordEmbeddings()) {
      // The LM head shares the embedding, whose last column holds c; the scale's zero cancels it.
      lmHead = projection(embed, null, true);
      finalNormScale = upload(appendZero(finalNorm), h + 1);
    } else {
      float[] head = source.tensor("lm_head.weight", vocab, h).data();
      lmHead = projection(upload(augmentColumns(head, vocab, h, finalNorm, 0f), vocab, h + 1), null, false);
      finalNormScale = null;
    }
    factory.weightsPacked();
  }

  /**
   * Reads every tensor the config implies from {@code source} and creates the arrays in {@code manager}
   * (whose device they live on) in {@code dtype}.
   *
   * @param dtype {@link DataType#FLOAT32} or {@link DataType#FLOAT16}
   * @param projections how the matmul weights multiply (see {@link ProjectionFactory#choose})
   * @throws ModelLoadException naming the tensor that is missing or has another shape
   */
  public static LlamaWeights load(
      TensorSource source, ModelConfig config, NDManager manager, DataType dtype, ProjectionFactory projections) {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
      throw new IllegalArgumentException("compute dtype must be FLOAT32 or FLOAT16, got " + dtype);
    }
    NDManager own = manager.newSubManager();
    List<Projection> made = new ArrayList<>();
    try {
      return new LlamaWeights(config, dtype, own, source, projections, made);
    } catch (RuntimeException | Error e) {
      made.forEach(Projection::close); // packed copies live outside the manager
      own.close();
      throw e;
    }
  }

  public ModelConfig config() {
    return config;
  }

  public DataType dtype() {
    return dtype;
  }

  /** Every weight array (for inspection: device, dtype). */
  public List<NDArray> arrays() {
    return Collections.unmodifiableList(all);
  }

  /** Every projection (q/k/v, o, gate/up, down per layer, then the LM head). */
  public List<Projection> projections() {
    return Collections.unmodifiableList(projections);
  }

  /** How the projections multiply: the packed GEMM, or PyTorch's linear and why. */
  public String projectionKernel() {
    return factory.description();
  }

  /** The manager that owns the weights; arrays attached to it live as long as the weights. */
  NDManager manager() {
    return manager;
  }

  /**
   * The projection of {@code weight}; a packed one frees the array at once unless {@code keepWeight} (the
   * embedding doubles as a tied LM head).
   */
  private Projection projection(PtNDArray weight, PtNDArray bias, boolean keepWeight) {
    if (keepWeight) {
      return added(factory.create(weight, bias));
    }
    Projection p = added(factory.replace(weight, bias));
    if (weight.isReleased()) {
      // by identity: NDArray.equals compares contents, a native pass over both tensors (and a match for any
      // equal-valued weight)
      all.removeIf(a -> a == weight);
    }
    return p;
  }

  private Projection added(Projection p) {
    projections.add(p);
    return p;
  }

  private PtNDArray upload(float[] data, long... shape) {
    NDArray f32 = manager.create(data, new Shape(shape));
    NDArray out = f32;
    if (dtype != DataType.FLOAT32) {
      out = f32.toType(dtype, false);
      f32.close();
    }
    all.add(out);
    return (PtNDArray) out;
  }

  /** [rows, cols] → [rows, cols+1], each column j scaled by {@code colScale[j]} (if given), last = {@code last}. */
  private static float[] augmentColumns(float[] w, int rows, int cols, float[] colScale, float last) {
    float[] out = new float[rows * (cols + 1)];
    for (int r = 0; r < rows; r++) {
      int src = r * cols;
      int dst = r * (cols + 1);
      for (int j = 0; j < cols; j++) {
        out[dst + j] = colScale == null ? w[src + j] : w[src + j] * colScale[j];
      }
      out[dst + cols] = last;
    }
    return out;
  }

  private static float[] appendZeroRow(float[] w, int rows, int cols) {
    float[] out = new float[(rows + 1) * cols];
    System.arraycopy(w, 0, out, 0, rows * cols);
    return out;
  }

  private static float[] appendZero(float[] v) {
    float[] out = new float[v.length + 1];
    System.arraycopy(v, 0, out, 0, v.length);
    return out;
  }

  private static float[] scaled(float[] v, float s) {
    float[] out = v.clone();
    scaleInPlace(out, s);
    return out;
  }

  private static void scaleInPlace(float[] v, float s) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Override
  public void close() {
    projections.forEach(Projection::close);
    manager.close();
  }
}
