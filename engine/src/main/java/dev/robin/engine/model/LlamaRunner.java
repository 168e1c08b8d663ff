package dev.robin.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.gemm.ProjectionFactory;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.StepPlan;
import java.util.HashMap;
import java.util.Map;

/**
 * The Llama-family forward pass (Llama, Mistral, Qwen2) with DJL's PyTorch engine over a {@link PagedKvCache}.
 *
 * <p>Each {@link #execute} runs one batched forward over the step's ragged batch inside a fresh sub-manager
 * that is closed before returning, so nothing created in a step outlives it; each layer's intermediates are
 * freed at the end of the layer. Ops go straight through {@link JniUtils} (several times cheaper per op than
 * the NDArray API) and a decode layer takes about 27 of them: the step
 * builds its index arrays once, the weights are fused and pre-scaled at load (see {@link LlamaWeights}),
 * and only the logits come back to the host.
 *
 * <p>Sliding-window layers ({@link AttentionWindow}: Mistral, Qwen2 with {@code use_sliding_window}) differ only
 * in their mask, built once per step beside the full one. When every layer slides (Mistral) each chunk gathers
 * only the blocks its queries' windows reach ({@link ContextGroup}); when some layer attends to everything
 * (Qwen2 with full layers) the whole context is gathered and the window masks the rest. In the first case the
 * blocks behind every window are never read, so {@link #attentionWindow()} lets the KV cache manager release
 * them (their block-table entries may then be -1).
 *
 * <p>Not thread-safe: one step at a time, from one thread (the model shard's). PyTorch's intra-op threads are
 * process-wide ({@code -Dai.djl.pytorch.num_threads}); how long their OpenMP workers spin between ops is set
 * by the environment ({@code bin/robin} sets {@code GOMP_SPINCOUNT=20000}, a short spin: docs/benchmarks.md,
 * "Threads: how OpenMP workers wait").
 *
 * <p>A single stream's step is bound by streaming the weights; batched steps by the projections (hence weights
 * packed once at load, {@link dev.robin.engine.gemm.ProjectionFactory}) and the KV gather. Profiles, and what
 * did not help: docs/benchmarks.md, "Where the time goes", "Early profiles and measurements", "Tried and not
 * kept".
 */
public final class LlamaRunner implements ModelRunner {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LlamaRunner.class);

  private static final double NORM_EPS = 1e-12; // F.normalize's clamp; the constant column keeps norms larger

  private final ModelConfig config;
  private final LlamaShape shape;
  private final DataType dtype;
  private final NDManager manager;
  private final LlamaWeights weights;
  private final PagedKvCache cache;
  private final RopeTables rope;
  private final AttentionWindow window;
  private final PtNDArray partnerRow; // [1, ropeWidth] int64
  private long maxGatherBytes = ContextGroup.MAX_GATHER_BYTES;

  private LlamaRunner(
      ModelConfig config, DataType dtype, NDManager manager, LlamaWeights weights, PagedKvCache cache) {
    this.config = config;
    this.shape = LlamaShape.of(config);
    this.dtype = dtype;
    this.manager = manager;
    this.weights = weights;
    this.cache = cache;
    this.rope = RopeTables.of(config);
    this.window = AttentionWindow.of(config);
    this.partnerRow = (PtNDArray) manager.create(shape.rotatePartners(), new Shape(1, shape.ropeWidth()));
  }

  /**
   * Loads the weights onto {@code device} and allocates the KV cache there; projections use MKL's packed GEMM
   * where {@link ProjectionFactory#choose} allows it (float32 on the CPU), else PyTorch's {@code linear}.
   *
   * @param computeDtype {@link DataType#FLOAT32} or {@link DataType#FLOAT16} (weights, activations, KV cache)
   * @param numBlocks KV cache blocks; size them with {@link PagedKvCache#bytesPerBlock}
   * @param blockSize tokens per block
   */
  public static LlamaRunner create(
      TensorSource source, ModelConfig config, Device device, DataType computeDtype, int numBlocks, int blockSize) {
    return create(source, config, device, computeDtype, numBlocks, blockSize, true);
  }

  /** As above; {@code packedGemm} false keeps PyTorch's {@code linear} for every projection. */
  public static LlamaRunner create(TensorSource source, ModelConfig config, Device device, DataType computeDtype,
      int numBlocks, int blockSize, boolean packedGemm) {
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    try {
      ProjectionFactory projections = ProjectionFactory.choose(device, computeDtype, packedGemm);
      if (projections.degraded()) {
        log.warn("Projections use {}: slower than MKL's packed GEMM", projections.description());
      } else {
        log.info("Projections use {}", projections.description());
      }
      LlamaWeights weights = LlamaWeights.load(source, config, manager, computeDtype, projections);
      try {
        PagedKvCache cache = new PagedKvCache(config, manager, computeDtype, numBlocks, blockSize);
        return new LlamaRunner(config, computeDtype, manager, weights, cache);
      } catch (RuntimeException e) {
        weights.close();
        throw e;
      }
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public Map<Long, float[]> execute(StepPlan plan) {
    if (plan.isEmpty()) {
      return Map.of();
    }
    StepInputs in = new StepInputs(plan, shape, rope, cache.blockSize(), cache.numBlocks(), dtypeBytes(),
        maxGatherBytes, window);
    try (NDManager step = manager.newSubManager()) {
      StepTensors st = new StepTensors(in, step, dtype, partnerRow, shape.ropeWidth(), !window.none());
      PtNDArray x = JniUtils.embedding(st.tokens, weights.embed, false); // [T, hidden+1]
      for (int l = 0; l < config.numHiddenLayers(); l++) {
        try (NDManager layer = step.newSubManager()) {
          x.attach(layer);
          PtNDArray next = layer(l, x, st, layer);
          next.attach(step);
          x = next;
        }
      }
      return logits(x, st, step);
    }
  }

  /** One decoder layer; every array it creates belongs to {@code scope}. Returns the new residual stream. */
  private PtNDArray layer(int l, PtNDArray x, StepTensors st, NDManager scope) {
    StepInputs in = st.in;
    int kv = shape.numKvHeads();
    int d = shape.headDim();

    PtNDArray h = JniUtils.normalize(x, 2, -1, NORM_EPS);
    PtNDArray qkv = weights.qkv[l].apply(h, scope); // [T, ropeWidth]
    PtNDArray rotated = JniUtils.gather(qkv, st.partners, 1);
    JniUtils.muli(rotated, st.ropeSin);
    PtNDArray roped = JniUtils.mul(qkv, st.ropeCos);
    JniUtils.addi(roped, rotated);
    NDList qAndKv = JniUtils.split(roped, new long[] {shape.qWidth(), shape.kvWidth()}, 1);
    PtNDArray q = (PtNDArray) qAndKv.get(0); // [T, heads*headDim]
    PtNDArray newKv = JniUtils.reshape((PtNDArray) qAndKv.get(1), new long[] {in.numTokens, 2, kv, d});
    cache.write(l, st.slots, JniUtils.permute(newKv, new long[] {2, 0, 1, 3})); // [kvHeads, T, 2, headDim]

    PtNDArray[] masks = window.slides(l) ? st.windowMasks : st.masks;
    PtNDArray[] outs = new PtNDArray[in.groups.size()];
    for (int i = 0; i < outs.length; i++) {
      outs[i] = attendGroup(l, q, i, st, masks[i], scope);
    }
    PtNDArray merged = outs.length == 1 ? outs[0] : JniUtils.cat(outs, 0);
    if (st.outputRows != null) {
      merged = JniUtils.embedding(st.outputRows, merged, false); // back to token order: [T, heads*headDim]
      merged.attach(scope);
    }
    PtNDArray afterAttention = weights.o[l].applyAdd(merged, x, scope);

    PtNDArray h2 = JniUtils.normalize(afterAttention, 2, -1, NORM_EPS);
    PtNDArray gateUp = weights.gateUp[l].apply(h2, scope); // [T, 2*inter]
    NDList parts = JniUtils.split(gateUp, shape.intermediate(), 1);
    PtNDArray gate = (PtNDArray) parts.get(0);
    PtNDArray act = JniUtils.mul(gate, JniUtils.sigmoid(gate)); // SiLU
    JniUtils.muli(act, (PtNDArray) parts.get(1));
    return weights.down[l].applyAdd(act, afterAttention, scope);
  }

  /**
   * Attention of one context group: its query rows of {@code q} ([T, heads*headDim]) against its gathered
   * contexts under {@code mask} (the group's full or sliding-window mask); returns {@code [S_g * numNew,
   * heads*headDim]} in group order.
   */
  private PtNDArray attendGroup(int l, PtNDArray q, int group, StepTensors st, PtNDArray mask, NDManager scope) {
    ContextGroup g = st.in.groups.get(group);
    int kv = shape.numKvHeads();
    int d = shape.headDim();
    int perKv = shape.queriesPerKv();
    long s = g.numChunks();
    long n = g.numNew();
    PtNDArray rows = q;
    if (st.queryRows[group] != null) {
      rows = JniUtils.embedding(st.queryRows[group], q, false); // [S_g * numNew, heads*headDim]
      rows.attach(scope);
    }
    PtNDArray queries; // [S_g, kvHeads, 1, maskRows, headDim]; rows in (token, head) order
    if (n == 1) {
      queries = JniUtils.reshape(rows, new long[] {s, kv, 1, perKv, d});
    } else {
      PtNDArray grid = JniUtils.reshape(rows, new long[] {s, n, kv, perKv, d});
      grid = JniUtils.permute(grid, new long[] {0, 2, 1, 3, 4});
      queries = JniUtils.reshape(grid, new long[] {s, kv, 1, n * perKv, d});
    }

    // [S_g, kvHeads, L, 2, headDim] → [S_g, kvHeads, 2, headDim, L]: keys come out transposed for the score
    // matmul, and (S_g, kvHeads) merge into one batch dim, so the matmuls read the gathered context in place.
    int firstBlock = st.consecutiveFirstBlocks[group];
    PtNDArray context = firstBlock >= 0
        ? cache.view(l, firstBlock, g.blocksPerSequence(), scope)
        : cache.gather(l, st.contextRows[group], g.numChunks(), g.blocksPerSequence(), scope);
    NDList keysValues = JniUtils.split(JniUtils.permute(context, new long[] {0, 1, 3, 4, 2}), 1, 2);
    PtNDArray keysT = (PtNDArray) keysValues.get(0); // [S_g, kvHeads, 1, headDim, L]
    PtNDArray values = JniUtils.transpose((PtNDArray) keysValues.get(1), 3, 4); // [S_g, kvHeads, 1, L, headDim]
    PtNDArray scores = JniUtils.matmul(queries, keysT); // [S_g, kvHeads, 1, maskRows, L]
    scores = JniUtils.add(scores, mask); // float32 mask: promotes float16 scores for the softmax
    PtNDArray probs = JniUtils.softmax(scores, -1, DataType.FLOAT32);
    if (dtype != DataType.FLOAT32) {
      probs = JniUtils.to(probs, dtype, manager.getDevice());
    }
    PtNDArray attended = JniUtils.matmul(probs, values); // [S_g, kvHeads, 1, maskRows, headDim]
    if (n == 1) {
      return JniUtils.reshape(attended, new long[] {s, shape.qWidth()});
    }
    PtNDArray merged = JniUtils.reshape(attended, new long[] {s, kv, n, perKv, d});
    merged = JniUtils.permute(merged, new long[] {0, 2, 1, 3, 4}); // [S_g, numNew, kvHeads, G, headDim]
    return JniUtils.reshape(merged, new long[] {s * n, shape.qWidth()});
  }

  private int dtypeBytes() {
    return dtype == DataType.FLOAT32 ? 4 : 2;
  }

  /** Final norm and LM head on the wanted rows only; the one host transfer of the step. */
  private Map<Long, float[]> logits(PtNDArray x, StepTensors st, NDManager step) {
    long[] ids = st.in.logitSequenceIds;
    if (ids.length == 0) {
      return Map.of();
    }
    PtNDArray rows = st.logitRows == null ? x : JniUtils.embedding(st.logitRows, x, false);
    PtNDArray h = JniUtils.normalize(rows, 2, -1, NORM_EPS);
    if (weights.finalNormScale != null) {
      h = JniUtils.mul(h, weights.finalNormScale);
    }
    PtNDArray out = weights.lmHead.apply(h, step); // [R, vocab]
    if (dtype != DataType.FLOAT32) {
      out = JniUtils.to(out, DataType.FLOAT32, manager.getDevice());
    }
    float[] all = out.toFloatArray();
    int vocab = shape.vocabSize();
    Map<Long, float[]> result = new HashMap<>(ids.length * 2);
    for (int r = 0; r < ids.length; r++) {
      float[] row = new float[vocab];
      System.arraycopy(all, r * vocab, row, 0, vocab);
      result.put(ids[r], row);
    }
    return result;
  }

  public ModelConfig config() {
    return config;
  }

  public DataType computeDtype() {
    return dtype;
  }

  public LlamaWeights weights() {
    return weights;
  }

  public PagedKvCache cache() {
    return cache;
  }

  /** Caps each attention group's context gather (tests lower it to exercise several groups). */
  void maxGatherBytes(long bytes) {
    this.maxGatherBytes = bytes;
  }

  /** Arrays alive under the runner (weights, cache, constants): constant across steps unless a step leaks. */
  int numLiveArrays() {
    return ((ai.djl.ndarray.BaseNDManager) manager).getManagedArrays().size();
  }

  @Override
  public int blockSize() {
    return cache.blockSize();
  }

  @Override
  public int numBlocks() {
    return cache.numBlocks();
  }

  @Override
  public int vocabSize() {
    return shape.vocabSize();
  }

  @Override
  public int attentionWindow() {
    return window.anyFullLayer() ? 0 : window.size();
  }

  @Override
  public String kernel() {
    return weights.projectionKernel();
  }

  @Override
  public void close() {
    weights.close(); // packed projections live outside the manager
    manager.close();
  }
}
