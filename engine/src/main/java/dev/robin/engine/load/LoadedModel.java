package dev.robin.engine.load;

import ai.djl.Device;
import dev.robin.engine.chat.ChatTemplate;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.grammar.GrammarCache;
import dev.robin.engine.model.LlamaRunner;
import dev.robin.engine.model.PagedKvCache;
import dev.robin.engine.sampling.ConstraintMeter;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.synthetic.ModelLocator;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A model ready to serve: its checkpoint opened (headers and config validated), its tokenizer and chat
 * template loaded. The text side is shared by every request; {@link #createEngine()} builds one replica's
 * weights, KV cache and scheduler, on the thread that will run its steps.
 */
public final class LoadedModel implements AutoCloseable {

  private final String id;
  private final String spec;
  private final Checkpoint checkpoint;
  private final ModelText text;
  private final EngineOptions options;
  private final SchedulerConfig schedulerConfig;
  /** Output constraints compiled for this model's vocabulary; built on the first constrained request. */
  private GrammarCache grammars;

  /** Compiled output constraints kept per model (least recently used evicted). */
  private static final int GRAMMARS_CACHED = 256;

  private LoadedModel(
      String id, String spec, Checkpoint checkpoint, ModelText text, EngineOptions options) {
    this.id = id;
    this.spec = spec;
    this.checkpoint = checkpoint;
    this.text = text;
    this.options = options;
    ModelConfig config = checkpoint.config();
    this.schedulerConfig =
        options.scheduler().apply(config.maxPositionEmbeddings(), eosIds(config, text));
  }

  /**
   * Opens the model named by {@code spec} (a Hugging Face directory or {@code synthetic:PRESET}); fails with
   * {@link dev.robin.engine.config.ModelLoadException} naming what is wrong.
   */
  public static LoadedModel open(String id, String spec, EngineOptions options) {
    Path dir = ModelLocator.resolve(spec, options.syntheticRoot());
    Checkpoint checkpoint = Checkpoint.open(dir);
    ModelText text = ModelText.open(dir);
    try {
      return new LoadedModel(id, spec, checkpoint, text, options);
    } catch (RuntimeException e) {
      text.close();
      throw e;
    }
  }

  /** The model's end-of-sequence ids: config.json's (one or many) and the tokenizer's EOS. */
  private static Set<Integer> eosIds(ModelConfig config, ModelText text) {
    Set<Integer> ids = new LinkedHashSet<>(config.eosTokenIds());
    if (text.eosTokenId() >= 0) {
      ids.add(text.eosTokenId());
    }
    return ids;
  }

  /**
   * Loads the weights onto the configured device, sizes the paged KV cache from the memory budget and
   * builds the scheduler. Call it on the thread that will run the steps.
   */
  public EngineCore createEngine() {
    return createEngine(options.device());
  }

  /** As {@link #createEngine()}, on {@code device}: each replica of a model may have its own. */
  public EngineCore createEngine(Device device) {
    ModelConfig config = checkpoint.config();
    int blockSize = schedulerConfig.blockSize();
    int dtypeBytes = options.computeDtype().getNumOfBytes();
    long perBlock = PagedKvCache.bytesPerBlock(config, blockSize, dtypeBytes);
    int numBlocks = (int) Math.min(Integer.MAX_VALUE / blockSize, options.kvCacheBytes() / perBlock);
    int needed = (schedulerConfig.maxModelLen() + blockSize - 1) / blockSize;
    if (numBlocks < needed) {
      throw new IllegalArgumentException(
          "KV cache budget of " + options.kvCacheBytes() + " bytes holds " + numBlocks + " blocks of " + blockSize
              + " tokens, fewer than one full-length sequence of model " + id + " needs (" + needed + "); raise "
              + "robin.engine.kv-cache-bytes or lower robin.engine.scheduler.max-model-len");
    }
    LlamaRunner runner = LlamaRunner.create(
        checkpoint, config, device, options.computeDtype(), numBlocks, blockSize, options.packedGemm());
    int vocab = config.vocabSize();
    ConstraintMeter constraints = new ConstraintMeter();
    return new EngineCore(schedulerConfig, runner,
        params -> Samplers.create(
            params, vocab, params.constraint() == null ? null : grammars(), schedulerConfig.eosTokenIds(),
            constraints),
        constraints);
  }

  /**
   * The cache of this model's compiled output constraints, shared by its replicas (a repeated schema compiles
   * once); its token trie is built on first use.
   */
  public synchronized GrammarCache grammars() {
    if (grammars == null) {
      grammars = new GrammarCache(
          text.grammarVocabulary(checkpoint.config().vocabSize(), schedulerConfig.eosTokenIds()), GRAMMARS_CACHED);
    }
    return grammars;
  }

  public String id() {
    return id;
  }

  /** What the operator named: a directory or {@code synthetic:PRESET}. */
  public String spec() {
    return spec;
  }

  public Path directory() {
    return checkpoint.directory();
  }

  public ModelConfig config() {
    return checkpoint.config();
  }

  public TextTokenizer tokenizer() {
    return text.tokenizer();
  }

  public ChatTemplate chatTemplate() {
    return text.chatTemplate();
  }

  /** Longest prompt + completion this deployment allows for the model. */
  public int maxModelLen() {
    return schedulerConfig.maxModelLen();
  }

  public SchedulerConfig schedulerConfig() {
    return schedulerConfig;
  }

  public EngineOptions options() {
    return options;
  }

  @Override
  public void close() {
    text.close();
  }
}
