package dev.robin.engine.scheduler;

import dev.robin.engine.kvcache.CachedPrefix;
import dev.robin.engine.kvcache.KvCacheManager;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.SampledToken;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what each step computes. There is no prefill or decode mode: every sequence's computed-token
 * count catches up with its tokens, and one step's token budget mixes one token for each decoding sequence
 * with chunks of prompts (chunked prefill).
 *
 * <p>Order, first come first served: running sequences that decode, then running sequences still catching
 * up (a prompt split across steps, or a recomputation), then waiting sequences in arrival order; the head
 * of the queue waits rather than being overtaken, so nobody starves. When a running sequence needs a block
 * and none is free, the newest running sequence is preempted: its blocks are freed and it goes back to the
 * front of the queue to be recomputed from its prompt and generated tokens (often cheaply, from the prefix
 * cache). The oldest running sequence alone always fits, so the system never deadlocks.
 *
 * <p>Contract: call {@link #schedule()}, run the plan, then {@link #update(StepPlan, Map)} with the sampled
 * tokens before the next {@code schedule()}. Not thread-safe: one step loop owns it.
 */
public final class Scheduler {

  private final SchedulerConfig config;
  private final KvCacheManager kvCache;
  private final int maxSequenceLength;
  private final Deque<Sequence> waiting = new ArrayDeque<>();
  /** Admission order: the newest running sequence is the last. */
  private final List<Sequence> running = new ArrayList<>();
  private final Map<Long, Sequence> sequences = new HashMap<>();
  private final Map<String, Sequence> byRequest = new HashMap<>();
  private long nextSequenceId;
  private long numPreemptionsTotal;
  private long numPromptTokensTotal;
  private long numCachedPromptTokensTotal;
  private long numGeneratedTokensTotal;

  public Scheduler(SchedulerConfig config, KvCacheManager kvCache) {
    if (config.blockSize() != kvCache.blockSize()) {
      throw new IllegalArgumentException(
          "block size " + config.blockSize() + " differs from the KV cache's " + kvCache.blockSize());
    }
    this.config = config;
    this.kvCache = kvCache;
    this.maxSequenceLength = (int) Math.min(config.maxModelLen(), longestHeld(config, kvCache));
  }

  /**
   * The longest sequence the pool can hold: all of it, unless every layer slides and the pool holds the most
   * blocks one sequence keeps at a time (its window plus a whole step's chunk), which it then never outgrows.
   */
  private static long longestHeld(SchedulerConfig config, KvCacheManager kvCache) {
    int window = kvCache.attentionWindow();
    if (window > 0 && kvCache.numBlocks() >= kvCache.blocksFor(window - 1 + config.maxNumBatchedTokens()) + 1) {
      return Long.MAX_VALUE;
    }
    return (long) kvCache.numBlocks() * kvCache.blockSize();
  }

  /**
   * The longest sequence (prompt + generated) this scheduler lets grow: the model's context, or the whole
   * KV pool if that is smaller (and blocks are not released behind a sliding window).
   */
  public int maxSequenceLength() {
    return maxSequenceLength;
  }

  /**
   * Queues a request, or says why not (empty when queued); never throws for a bad request. Where a prompt fits
   * is decided here, where the context and the KV pool are known.
   */
  public Optional<Rejection> add(GenerationRequest request) {
    Rejection invalid = validate(request);
    if (invalid != null) {
      return Optional.of(invalid);
    }
    if (queuedBeyondFreeSlots() >= config.maxNumWaiting()) {
      return Optional.of(new Rejection(
          Rejection.Reason.QUEUE_FULL,
          "the model's queue is full (" + config.maxNumWaiting() + " requests waiting); retry later"));
    }
    Sequence seq = new Sequence(nextSequenceId++, request);
    sequences.put(seq.id, seq);
    byRequest.put(seq.requestId, seq);
    waiting.addLast(seq);
    return Optional.empty();
  }

  /**
   * Requests that wait for more than a free running slot: the queue {@code maxNumWaiting} bounds. Neither the
   * sequences the next step admits into free slots (the n choices of one request arrive together, before a step)
   * nor preempted ones (already admitted once; they return to the queue's front) count, so an idle or merely busy
   * replica never refuses as "full".
   */
  private int queuedBeyondFreeSlots() {
    int preempted = 0;
    for (Sequence s : waiting) {
      preempted += s.numPreemptions > 0 ? 1 : 0;
    }
    int freeSlots = Math.max(0, config.maxNumSeqs() - running.size());
    return Math.max(0, waiting.size() - preempted - freeSlots);
  }

  private Rejection validate(GenerationRequest request) {
    if (byRequest.containsKey(request.id())) {
      return Rejection.invalid("request " + request.id() + " is already generating");
    }
    return checkFits(request, maxSequenceLength).orElse(null);
  }

  /**
   * The rule for a request's lengths: a prompt of at least one token, at least one token to generate, and room
   * for it in a context of {@code maxSequenceLength} tokens. Public so a test double of a replica applies the
   * same rule.
   */
  public static Optional<Rejection> checkFits(GenerationRequest request, int maxSequenceLength) {
    if (request.promptIds().length == 0) {
      return Optional.of(Rejection.invalid("The prompt is empty after tokenization; send at least one token."));
    }
    if (request.maxTokens() <= 0) {
      return Optional.of(Rejection.invalid("max_tokens must be at least 1, got " + request.maxTokens()));
    }
    int promptLength = request.promptIds().length;
    if (promptLength >= maxSequenceLength) {
      return Optional.of(new Rejection(
          Rejection.Reason.CONTEXT_LENGTH_EXCEEDED,
          "This model's maximum context length is " + maxSequenceLength + " tokens. However, your prompt has "
              + promptLength + " tokens, which leaves no room for a completion. Please shorten your prompt."));
    }
    return Optional.empty();
  }

  /** Drops a request's sequence wherever it is and frees its blocks; false when unknown or already finished. */
  public boolean abort(String requestId) {
    Sequence seq = byRequest.get(requestId);
    if (seq == null) {
      return false;
    }
    forget(seq);
    if (!waiting.remove(seq)) {
      running.remove(seq);
    }
    kvCache.free(seq.id);
    return true;
  }

  private void forget(Sequence seq) {
    sequences.remove(seq.id);
    byRequest.remove(seq.requestId);
  }

  public boolean hasWork() {
    return !sequences.isEmpty();
  }

  public boolean contains(String requestId) {
    return byRequest.containsKey(requestId);
  }

  /** The request whose sequence the runner knows as {@code sequenceId}; null once it finished. */
  public String requestIdOf(long sequenceId) {
    Sequence seq = sequences.get(sequenceId);
    return seq == null ? null : seq.requestId;
  }

  public int numWaiting() {
    return waiting.size();
  }

  public int numRunning() {
    return running.size();
  }

  /**
   * Decode tokens of a plan just returned by {@link #schedule()} (call it before {@link #update}): one-token
   * chunks of sequences past their prompt. Every other planned token is prompt work — a prompt chunk, or
   * the recomputation of a preempted sequence.
   */
  public int numDecodeTokens(StepPlan plan) {
    int n = 0;
    for (SequenceChunk chunk : plan.chunks()) {
      Sequence seq = sequences.get(chunk.sequenceId());
      if (seq != null && chunk.numTokens() == 1 && chunk.startPosition() >= seq.numPromptTokens) {
        n++;
      }
    }
    return n;
  }

  /** Every live request, running first (for failing them all at once). */
  public List<String> requestIds() {
    List<String> ids = new ArrayList<>(sequences.size());
    running.forEach(s -> ids.add(s.requestId));
    waiting.forEach(s -> ids.add(s.requestId));
    return ids;
  }

  public SchedulerStats stats() {
    return new SchedulerStats(
        waiting.size(),
        running.size(),
        numPreemptionsTotal,
        numPromptTokensTotal,
        numCachedPromptTokensTotal,
        numGeneratedTokensTotal);
  }

  /** Plans the next step within the token budget, allocating (or preempting for) the blocks it needs. */
  public StepPlan schedule() {
    StepBuilder step = new StepBuilder(config.maxNumBatchedTokens());
    scheduleRunning(step, true);
    if (!step.numTokens.isEmpty()) {
      // Every decoding stream waits for the whole step: bound the prompt work that rides along.
      step.budget = Math.min(step.budget, config.prefillTokensWhileDecoding(step.numTokens.size()));
    }
    scheduleRunning(step, false);
    if (step.preempted.isEmpty()) {
      // Admitting new work right after a preemption would only take the blocks back from the victim.
      scheduleWaiting(step);
    }
    return step.build();
  }

  private void scheduleRunning(StepBuilder step, boolean decoding) {
    for (int i = 0; i < running.size() && step.budget > 0; i++) {
      Sequence seq = running.get(i);
      int numUncomputed = seq.numUncomputedTokens();
      if (numUncomputed == 0 || (numUncomputed == 1) != decoding || step.contains(seq)) {
        continue;
      }
      int n = Math.min(numUncomputed, step.budget);
      if (allocateOrPreempt(seq, n, step)) {
        step.add(seq, n);
      }
    }
  }

  /** Allocates blocks for {@code n} more tokens, preempting the newest running sequences as needed. */
  private boolean allocateOrPreempt(Sequence seq, int n, StepBuilder step) {
    while (!kvCache.allocate(seq.id, n)) {
      Sequence victim = running.get(running.size() - 1);
      preempt(victim, step);
      if (victim == seq) {
        return false;
      }
    }
    return true;
  }

  private void preempt(Sequence victim, StepBuilder step) {
    running.remove(running.size() - 1);
    kvCache.free(victim.id);
    victim.numComputedTokens = 0;
    victim.numPreemptions++;
    numPreemptionsTotal++;
    step.unschedule(victim);
    step.preempted.add(victim.id);
    waiting.addFirst(victim);
  }

  private void scheduleWaiting(StepBuilder step) {
    while (step.budget > 0 && !waiting.isEmpty() && running.size() < config.maxNumSeqs()) {
      Sequence seq = waiting.peekFirst();
      CachedPrefix prefix = kvCache.findCachedPrefix(seq.tokens(), seq.numTokens());
      int n = Math.min(seq.numTokens() - prefix.numTokens(), step.budget);
      if (!kvCache.allocate(seq.id, prefix, n)) {
        return; // the head waits for blocks; nobody overtakes it
      }
      waiting.pollFirst();
      running.add(seq);
      seq.numComputedTokens = prefix.numTokens();
      if (seq.numCachedPromptTokens < 0) {
        seq.numCachedPromptTokens = Math.min(prefix.numTokens(), seq.numPromptTokens);
        numPromptTokensTotal += seq.numPromptTokens;
        numCachedPromptTokensTotal += seq.numCachedPromptTokens;
      }
      step.add(seq, n);
    }
  }

  /**
   * Applies a computed step: advances each sequence's computed tokens (caching its full blocks), appends
   * the sampled tokens and finishes sequences on an end-of-sequence token (unless the request ignores
   * EOS), {@code maxTokens}, or the end of the context. A chunk that wanted logits but got no token
   * finishes with {@link FinishReason#ERROR}.
   */
  public List<SequenceUpdate> update(StepPlan plan, Map<Long, SampledToken> sampled) {
    List<SequenceUpdate> updates = new ArrayList<>();
    for (SequenceChunk chunk : plan.chunks()) {
      Sequence seq = sequences.get(chunk.sequenceId());
      if (seq == null) {
        continue; // aborted after planning
      }
      if (seq.numComputedTokens != chunk.startPosition()) {
        throw new IllegalStateException(
            "stale plan for sequence " + seq.id + ": update() must follow each schedule() once");
      }
      seq.numComputedTokens += chunk.numTokens();
      kvCache.markComputed(seq.id, seq.tokens(), seq.numComputedTokens);
      if (chunk.wantsLogits()) {
        updates.add(appendToken(seq, sampled.get(seq.id)));
      }
    }
    return updates;
  }

  private SequenceUpdate appendToken(Sequence seq, SampledToken token) {
    if (token == null) {
      finish(seq);
      return toUpdate(seq, null, FinishReason.ERROR);
    }
    seq.append(token.tokenId());
    numGeneratedTokensTotal++;
    FinishReason reason = finishReason(seq, token.tokenId());
    if (reason != null) {
      finish(seq);
    }
    return toUpdate(seq, token, reason);
  }

  private FinishReason finishReason(Sequence seq, int tokenId) {
    if (!seq.ignoreEos && config.eosTokenIds().contains(tokenId)) {
      return FinishReason.STOP;
    }
    if (seq.numGeneratedTokens() >= seq.maxTokens || seq.numTokens() >= maxSequenceLength) {
      return FinishReason.LENGTH;
    }
    return null;
  }

  private void finish(Sequence seq) {
    forget(seq);
    running.remove(seq);
    kvCache.free(seq.id);
  }

  private static SequenceUpdate toUpdate(Sequence seq, SampledToken token, FinishReason reason) {
    return new SequenceUpdate(
        seq.requestId,
        token,
        reason,
        seq.numPromptTokens,
        seq.numGeneratedTokens(),
        Math.max(0, seq.numCachedPromptTokens));
  }

  /** The step being planned: tokens per sequence in scheduling order, and what was preempted. */
  private final class StepBuilder {
    int budget;
    final Map<Sequence, Integer> numTokens = new LinkedHashMap<>();
    final List<Long> preempted = new ArrayList<>();

    StepBuilder(int budget) {
      this.budget = budget;
    }

    boolean contains(Sequence seq) {
      return numTokens.containsKey(seq);
    }

    void add(Sequence seq, int n) {
      numTokens.put(seq, n);
      budget -= n;
    }

    void unschedule(Sequence seq) {
      Integer n = numTokens.remove(seq);
      if (n != null) {
        budget += n;
      }
    }

    StepPlan build() {
      List<SequenceChunk> chunks = new ArrayList<>(numTokens.size());
      numTokens.forEach(
          (seq, n) -> {
            int start = seq.numComputedTokens;
            chunks.add(
                new SequenceChunk(
                    seq.id,
                    seq.tokens(start, start + n),
                    start,
                    kvCache.blockTable(seq.id),
                    start + n == seq.numTokens()));
          });
      return new StepPlan(List.copyOf(chunks), List.copyOf(preempted));
    }
  }
}
