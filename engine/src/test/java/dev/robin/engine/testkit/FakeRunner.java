package dev.robin.engine.testkit;

import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.scheduler.StepPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;

/**
 * The test kit's model runner: a deterministic fake whose "KV cache" stores each position's token id in its
 * paged slot, so the next token is computed from the context as it reads it back through the block table. A
 * wrong block table, a wrongly shared prefix block or a lost recomputation then changes the output (or fails:
 * reading a position nobody computed throws), as with a real model.
 *
 * <p>Configurable ({@link #builder()}): vocabulary, KV blocks and their size, attention window, the rule that
 * picks the next token from the visible context (the logits are one-hot on it), a delay per step that stands
 * for the forward pass, and a failure on a chosen step. It records what it was asked to do: every executed
 * plan, the positions each sequence has computed, the threads that ran it, the time spent in steps.
 *
 * <p>{@link #around} records the same around a real runner, which then computes the logits.
 *
 * <p>Steps may run on another thread than the test's (a model actor): the records are safe to read from the
 * test thread.
 */
public final class FakeRunner implements ModelRunner {

  private static final int EMPTY = -1;

  private final ModelRunner delegate;
  private final int numBlocks;
  private final int blockSize;
  private final int vocabSize;
  private final int attentionWindow;
  private final int[][] slots;
  private final ToIntFunction<int[]> nextToken;
  private final Duration stepDelay;
  private final int failOnStep;
  private final RuntimeException stepFailure;

  private final AtomicReference<RuntimeException> nextFailure = new AtomicReference<>();
  private final AtomicInteger numCalls = new AtomicInteger();
  private final List<StepPlan> plans = new ArrayList<>();
  private final Map<Long, Integer> computedTokens = new ConcurrentHashMap<>();
  private final Set<String> threadNames = ConcurrentHashMap.newKeySet();
  private final AtomicLong numTokens = new AtomicLong();
  private final AtomicLong executeNanos = new AtomicLong();
  private volatile boolean closed;

  private FakeRunner(Builder b, ModelRunner delegate) {
    this.delegate = delegate;
    this.numBlocks = delegate != null ? delegate.numBlocks() : b.numBlocks;
    this.blockSize = delegate != null ? delegate.blockSize() : b.blockSize;
    this.vocabSize = delegate != null ? delegate.vocabSize() : b.vocabSize;
    this.attentionWindow = delegate != null ? delegate.attentionWindow() : b.attentionWindow;
    this.nextToken = b.nextToken != null ? b.nextToken : hashOfContext(vocabSize);
    this.stepDelay = b.stepDelay;
    this.failOnStep = b.failOnStep;
    this.stepFailure = b.stepFailure;
    if (delegate == null) {
      this.slots = new int[numBlocks][blockSize];
      for (int[] block : slots) {
        Arrays.fill(block, EMPTY);
      }
    } else {
      this.slots = null;
    }
  }

  /** A fake of {@code numBlocks} blocks of {@code blockSize} whose next token hashes the whole context. */
  public static FakeRunner of(int numBlocks, int blockSize, int vocabSize) {
    return builder().numBlocks(numBlocks).blockSize(blockSize).vocabSize(vocabSize).build();
  }

  /** A fake whose next token is {@code nextToken} of the context (every position up to the last query). */
  public static FakeRunner of(int numBlocks, int blockSize, int vocabSize, ToIntFunction<int[]> nextToken) {
    return builder().numBlocks(numBlocks).blockSize(blockSize).vocabSize(vocabSize).nextToken(nextToken).build();
  }

  /**
   * Records the steps of a real runner (plans, positions computed, time in {@code execute}) while it computes
   * them; {@link #failNextStep} still applies. Closing this closes {@code real}.
   */
  public static FakeRunner around(ModelRunner real) {
    return new FakeRunner(new Builder(), real);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The rule of {@link Builder#nextAfterLastToken()}: a fixed function of the previous token, in
   * {@code [1, vocabSize)}, so never 0 (the EOS id of most tests).
   */
  public static int next(int token, int vocabSize) {
    return 1 + Math.floorMod(token * 7 + 3, vocabSize - 1);
  }

  /** The default rule: a hash of the whole visible context, in {@code [1, vocabSize)} (never 0). */
  public static ToIntFunction<int[]> hashOfContext(int vocabSize) {
    return context -> {
      int h = 0x9E3779B9;
      for (int t : context) {
        h = (h ^ t) * 0x01000193;
        h ^= h >>> 15;
      }
      return 1 + Math.floorMod(h, vocabSize - 1);
    };
  }

  /** Makes the next {@link #execute} throw {@code e} (once). */
  public void failNextStep(RuntimeException e) {
    nextFailure.set(e);
  }

  @Override
  public Map<Long, float[]> execute(StepPlan plan) {
    threadNames.add(Thread.currentThread().getName());
    int step = numCalls.incrementAndGet();
    RuntimeException failure = nextFailure.getAndSet(null);
    if (failure == null && step == failOnStep) {
      failure = stepFailure;
    }
    if (failure != null) {
      throw failure;
    }
    synchronized (plans) {
      plans.add(plan);
    }
    for (SequenceChunk chunk : plan.chunks()) {
      computedTokens.put(chunk.sequenceId(), chunk.contextLength());
      numTokens.addAndGet(chunk.numTokens());
    }
    long start = System.nanoTime();
    try {
      if (!stepDelay.isZero()) {
        sleep(stepDelay);
      }
      return delegate != null ? delegate.execute(plan) : compute(plan);
    } finally {
      executeNanos.addAndGet(System.nanoTime() - start);
    }
  }

  private Map<Long, float[]> compute(StepPlan plan) {
    Map<Long, float[]> logits = new HashMap<>();
    for (SequenceChunk chunk : plan.chunks()) {
      write(chunk);
      if (chunk.wantsLogits()) {
        int token = nextToken.applyAsInt(read(chunk));
        if (token < 0 || token >= vocabSize) {
          throw new IllegalStateException("the next-token rule gave " + token + ", outside [0, " + vocabSize + ")");
        }
        float[] row = new float[vocabSize];
        row[token] = 1.0f;
        logits.put(chunk.sequenceId(), row);
      }
    }
    return logits;
  }

  private void write(SequenceChunk chunk) {
    for (int i = 0; i < chunk.numTokens(); i++) {
      int position = chunk.startPosition() + i;
      slots[chunk.blockTable()[position / blockSize]][position % blockSize] = chunk.tokenIds()[i];
    }
  }

  /** The context the chunk's last query sees (its window, if any) as the cache holds it. */
  private int[] read(SequenceChunk chunk) {
    int end = chunk.contextLength();
    int from = attentionWindow > 0 ? Math.max(0, end - attentionWindow) : 0;
    int[] context = new int[end - from];
    for (int p = from; p < end; p++) {
      int block = chunk.blockTable()[p / blockSize];
      int token = block < 0 ? EMPTY : slots[block][p % blockSize];
      if (token == EMPTY) {
        throw new IllegalStateException("sequence " + chunk.sequenceId() + " reads uncomputed position " + p);
      }
      context[p - from] = token;
    }
    return context;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every plan executed so far (not those that failed before running), in order. */
  public List<StepPlan> plans() {
    synchronized (plans) {
      return List.copyOf(plans);
    }
  }

  /** Steps executed (as {@link #plans()}). */
  public long numSteps() {
    synchronized (plans) {
      return plans.size();
    }
  }

  /** Tokens computed over every step. */
  public long numTokens() {
    return numTokens.get();
  }

  /** Time spent inside {@link #execute}, delay included. */
  public long executeNanos() {
    return executeNanos.get();
  }

  /** Whether the sequence has been in a step yet. */
  public boolean wasScheduled(long sequenceId) {
    return computedTokens.containsKey(sequenceId);
  }

  /** Positions computed by the sequence's latest step (0 before its first). */
  public int computedTokens(long sequenceId) {
    return computedTokens.getOrDefault(sequenceId, 0);
  }

  /** The names of the threads that called {@link #execute}. */
  public Set<String> threadNames() {
    return Set.copyOf(threadNames);
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public int numBlocks() {
    return numBlocks;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int attentionWindow() {
    return attentionWindow;
  }

  @Override
  public String kernel() {
    return delegate != null ? delegate.kernel() : "fake";
  }

  @Override
  public void close() {
    closed = true;
    if (delegate != null) {
      delegate.close();
    }
  }

  /** Settings of a {@link FakeRunner}; the defaults are 64 blocks of 16, a vocabulary of 100, no window. */
  public static final class Builder {

    private int numBlocks = 64;
    private int blockSize = 16;
    private int vocabSize = 100;
    private int attentionWindow;
    private ToIntFunction<int[]> nextToken;
    private boolean afterLastToken;
    private Duration stepDelay = Duration.ZERO;
    private int failOnStep;
    private RuntimeException stepFailure;

    private Builder() {}

    public Builder numBlocks(int numBlocks) {
      this.numBlocks = numBlocks;
      return this;
    }

    public Builder blockSize(int blockSize) {
      this.blockSize = blockSize;
      return this;
    }

    public Builder vocabSize(int vocabSize) {
      this.vocabSize = vocabSize;
      return this;
    }

    /** Positions each query sees, itself included (0: the whole context), as a sliding-window model. */
    public Builder attentionWindow(int attentionWindow) {
      this.attentionWindow = attentionWindow;
      return this;
    }

    /** The next token as a function of the visible context (default: {@link #hashOfContext}). */
    public Builder nextToken(ToIntFunction<int[]> nextToken) {
      this.nextToken = nextToken;
      this.afterLastToken = false;
      return this;
    }

    /** The next token is {@link FakeRunner#next} of the last one. */
    public Builder nextAfterLastToken() {
      this.nextToken = null;
      this.afterLastToken = true;
      return this;
    }

    /** Each step sleeps this long (standing for the forward pass). */
    public Builder stepDelay(Duration stepDelay) {
      this.stepDelay = stepDelay;
      return this;
    }

    /** The {@code step}-th call of {@code execute} (from 1) throws {@code failure}. */
    public Builder failOnStep(int step, RuntimeException failure) {
      this.failOnStep = step;
      this.stepFailure = failure;
      return this;
    }

    public FakeRunner build() {
      if (afterLastToken) {
        int vocab = vocabSize;
        nextToken = context -> next(context[context.length - 1], vocab);
      }
      return new FakeRunner(this, null);
    }
  }
}
