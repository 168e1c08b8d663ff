package dev.robin.engine.core;

import dev.robin.engine.kvcache.KvCacheManager;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.ConstraintMeter;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.Sampler;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.Scheduler;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.scheduler.SchedulerStats;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.SequenceUpdate;
import dev.robin.engine.scheduler.StepPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model replica's generation loop, without threads: {@link #submit} and {@link #abort} between steps,
 * and {@link #step()} computes one batch — schedule, run the model, sample each sequence with its own
 * sampler, apply. Whoever owns it (the model actor) calls it from one thread.
 *
 * <p>A runner failure fails the step's sequences (outputs with {@link FinishReason#ERROR}, their blocks
 * freed) and leaves the engine ready for the next step; a sampler failure fails only its sequence.
 */
public final class EngineCore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EngineCore.class);

  private final ModelRunner runner;
  private final SamplerFactory samplerFactory;
  private final KvCacheManager kvCache;
  private final Scheduler scheduler;
  private final Map<String, Sampler> samplers = new HashMap<>();
  private final ConstraintMeter constraints;
  private long numStepsTotal;
  private long numFailedStepsTotal;
  private int lastStepNumTokens;
  private StepTokens lastStep = StepTokens.NONE;

  /** An engine whose KV pool has the runner's blocks; {@code config.blockSize()} must be the runner's. */
  public EngineCore(SchedulerConfig config, ModelRunner runner, SamplerFactory samplerFactory) {
    this(config, runner, samplerFactory, new ConstraintMeter());
  }

  /**
   * An engine whose samplers (made by {@code samplerFactory}) report their output constraints' costs to
   * {@code constraints}; the engine starts each step on it.
   */
  public EngineCore(
      SchedulerConfig config, ModelRunner runner, SamplerFactory samplerFactory, ConstraintMeter constraints) {
    this.constraints = constraints;
    this.runner = runner;
    this.samplerFactory = samplerFactory;
    this.kvCache = new KvCacheManager(
        runner.numBlocks(), runner.blockSize(), config.enablePrefixCaching(), runner.attentionWindow());
    this.scheduler = new Scheduler(config, kvCache);
  }

  /** Queues a request (empty), or refuses it (invalid, prompt too long, queue full) holding nothing. */
  public Optional<Rejection> submit(GenerationRequest request) {
    Sampler sampler;
    try {
      sampler = samplerFactory.create(request.sampling());
      sampler.prompt(request.promptIds());
    } catch (IllegalArgumentException e) {
      return Optional.of(Rejection.invalid(e.getMessage()));
    }
    Optional<Rejection> rejection = scheduler.add(request);
    if (rejection.isEmpty()) {
      samplers.put(request.id(), sampler);
    }
    return rejection;
  }

  /** Stops a request's sequence and frees its blocks; false when it is unknown or already finished. */
  public boolean abort(String requestId) {
    samplers.remove(requestId);
    return scheduler.abort(requestId);
  }

  /** Aborts every live request (when the owner gives up on them) and returns their ids. */
  public List<String> abortAll() {
    List<String> ids = scheduler.requestIds();
    ids.forEach(this::abort);
    return ids;
  }

  public boolean hasWork() {
    return scheduler.hasWork();
  }

  /** The longest prompt + completion a sequence may reach. */
  public int maxSequenceLength() {
    return scheduler.maxSequenceLength();
  }

  /** Computes one step; returns one output per sequence that got a token or finished. */
  public List<SequenceOutput> step() {
    constraints.startStep();
    StepPlan plan = scheduler.schedule();
    if (plan.isEmpty()) {
      lastStep = StepTokens.NONE;
      return List.of();
    }
    numStepsTotal++;
    lastStepNumTokens = plan.numTokens();
    int numDecodeTokens = scheduler.numDecodeTokens(plan);
    lastStep = new StepTokens(numDecodeTokens, lastStepNumTokens - numDecodeTokens);
    Map<Long, float[]> logits;
    try {
      logits = runner.execute(plan);
    } catch (RuntimeException e) {
      return failStep(plan, e);
    }
    List<SequenceUpdate> updates = scheduler.update(plan, sample(plan, logits));
    List<SequenceOutput> outputs = new ArrayList<>(updates.size());
    for (SequenceUpdate update : updates) {
      outputs.add(apply(update));
    }
    return outputs;
  }

  private Map<Long, SampledToken> sample(StepPlan plan, Map<Long, float[]> logits) {
    Map<Long, SampledToken> sampled = new HashMap<>();
    for (SequenceChunk chunk : plan.chunks()) {
      if (!chunk.wantsLogits()) {
        continue;
      }
      float[] row = logits.get(chunk.sequenceId());
      String requestId = scheduler.requestIdOf(chunk.sequenceId());
      Sampler sampler = requestId == null ? null : samplers.get(requestId);
      if (row == null || sampler == null) {
        LOG.error("No logits or sampler for sequence {}", chunk.sequenceId());
        continue; // the scheduler finishes it with ERROR
      }
      try {
        sampled.put(chunk.sequenceId(), sampler.sample(row));
      } catch (RuntimeException e) {
        LOG.error("Sampling failed for sequence {}", chunk.sequenceId(), e);
      }
    }
    return sampled;
  }

  private SequenceOutput apply(SequenceUpdate update) {
    String id = update.requestId();
    List<SampledToken> tokens = List.of();
    if (update.token() != null) {
      tokens = List.of(update.token());
      Sampler sampler = samplers.get(id);
      if (sampler != null) {
        sampler.accept(update.token().tokenId());
      }
    }
    if (update.isFinished()) {
      samplers.remove(id);
    }
    return new SequenceOutput(
        id,
        tokens,
        update.finishReason(),
        update.numPromptTokens(),
        update.numGeneratedTokens(),
        update.numCachedPromptTokens());
  }

  private List<SequenceOutput> failStep(StepPlan plan, RuntimeException e) {
    numFailedStepsTotal++;
    LOG.error("Model step failed; failing its {} sequences", plan.chunks().size(), e);
    List<SequenceOutput> outputs = new ArrayList<>();
    for (SequenceChunk chunk : plan.chunks()) {
      String requestId = scheduler.requestIdOf(chunk.sequenceId());
      if (requestId != null && abort(requestId)) {
        outputs.add(new SequenceOutput(requestId, List.of(), FinishReason.ERROR, 0, 0, 0));
      }
    }
    return outputs;
  }

  /**
   * What the latest {@link #step()} computed ({@link StepTokens#NONE} when it had nothing to do); a step
   * whose runner failed still counts, since its time was spent.
   */
  public StepTokens lastStep() {
    return lastStep;
  }

  /**
   * What output constraints cost this engine: the latest step's mask time (read it after {@link #step()}), grammar
   * cache hits and compilations.
   */
  public ConstraintMeter constraints() {
    return constraints;
  }

  /** The runner's kernel, for {@code /health}. */
  public String kernel() {
    return runner.kernel();
  }

  public EngineStats stats() {
    SchedulerStats s = scheduler.stats();
    return new EngineStats(
        s.numWaiting(),
        s.numRunning(),
        s.numPreemptionsTotal(),
        kvCache.numUsedBlocks(),
        kvCache.numBlocks(),
        kvCache.numCachedBlocks(),
        s.prefixCacheHitRate(),
        s.numPromptTokensTotal(),
        s.numGeneratedTokensTotal(),
        numStepsTotal,
        numFailedStepsTotal,
        lastStepNumTokens);
  }

  @Override
  public void close() {
    runner.close();
  }
}
