package dev.robin.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.kvcache.KvCacheManager;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.sampling.SampledToken;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  private static final int EOS = 0;

  private static Scheduler scheduler(int budget, int numBlocks, int maxModelLen) {
    SchedulerConfig config =
        SchedulerConfig.defaults(maxModelLen, Set.of(EOS)).withMaxNumBatchedTokens(budget).withMaxNumSeqs(32);
    return new Scheduler(config, new KvCacheManager(numBlocks, config.blockSize(), true));
  }

  private static GenerationRequest request(long id, int promptLength, int maxTokens) {
    int[] prompt = IntStream.range(0, promptLength).map(i -> 1 + (int) ((id * 31 + i) % 97)).toArray();
    return GenerationRequest.of(String.valueOf(id), prompt, SamplingParams.GREEDY, maxTokens);
  }

  /** Runs one step, answering every chunk that wants logits with {@code token}. */
  private static List<SequenceUpdate> step(Scheduler s, StepPlan plan, int token) {
    Map<Long, SampledToken> sampled = new HashMap<>();
    plan.chunks().stream().filter(SequenceChunk::wantsLogits).forEach(c -> sampled.put(c.sequenceId(), SampledToken.of(token)));
    return s.update(plan, sampled);
  }

  @Test
  void longPromptIsChunkedWhileRunningSequencesKeepDecoding() {
    Scheduler s = scheduler(256, 1000, 4096);
    assertTrue(s.add(request(1, 20, 100)).isEmpty());
    assertTrue(s.add(request(2, 30, 100)).isEmpty());
    step(s, s.schedule(), 5); // both prompts fit the first step
    assertTrue(s.add(request(3, 1000, 10)).isEmpty());
    int steps = 0;
    boolean prefilled = false;
    while (!prefilled) {
      StepPlan plan = s.schedule();
      steps++;
      assertTrue(plan.numTokens() <= 256);
      assertEquals(3, plan.chunks().size(), "decoders are served in every step of the prefill");
      assertEquals(1, plan.chunks().get(0).numTokens());
      assertEquals(1, plan.chunks().get(1).numTokens());
      prefilled = plan.chunks().get(2).wantsLogits();
      step(s, plan, 5);
    }
    assertEquals(4, steps);
  }

  @Test
  void promptWorkBesideDecodingStreamsIsCappedButAnIdleReplicaGetsTheWholeBudget() {
    SchedulerConfig config = SchedulerConfig.defaults(4096, Set.of(EOS)).withMaxNumSeqs(32)
        .withMaxNumBatchedTokens(512).withMaxPrefillTokensWhileDecoding(64);
    Scheduler s = new Scheduler(config, new KvCacheManager(1000, config.blockSize(), true));
    assertTrue(s.add(request(1, 300, 100)).isEmpty());
    assertTrue(s.add(request(2, 300, 100)).isEmpty());
    StepPlan first = s.schedule();
    assertEquals(512, first.numTokens(), "nothing decodes yet: prompts take the whole budget");
    step(s, first, 5);
    // Request 1 now decodes; request 2 has 88 prompt tokens left and a third prompt arrives.
    assertTrue(s.add(request(3, 300, 100)).isEmpty());
    int steps = 0;
    while (s.stats().numWaiting() > 0 || steps == 0) {
      StepPlan plan = s.schedule();
      long decoding = plan.chunks().stream().filter(c -> c.numTokens() == 1).count();
      assertTrue(decoding >= 1);
      assertTrue(plan.numTokens() - decoding <= 64, "prompt tokens beside decoders: " + (plan.numTokens() - decoding));
      step(s, plan, 5);
      steps++;
    }
    // 88 + 300 prompt tokens at 64 per step: the third prompt still progresses every step (no starvation).
    assertTrue(steps >= 2 && steps <= 7, "steps until the third prompt was admitted: " + steps);
    while (s.stats().numRunning() > 0 && steps < 200) {
      step(s, s.schedule(), 5);
      steps++;
    }
    assertEquals(0, s.stats().numRunning(), "every request finished");
  }

  @Test
  void manyDecodingStreamsLetMorePromptTokensRideAlong() {
    for (int perStream : new int[] {0, 4}) {
      SchedulerConfig config = SchedulerConfig.defaults(4096, Set.of(EOS)).withMaxNumSeqs(32)
          .withMaxNumBatchedTokens(512).withMaxPrefillTokensWhileDecoding(16)
          .withPrefillTokensPerDecodingSequence(perStream);
      Scheduler s = new Scheduler(config, new KvCacheManager(1000, config.blockSize(), true));
      for (int id = 1; id <= 20; id++) {
        assertTrue(s.add(request(id, 8, 100)).isEmpty());
      }
      step(s, s.schedule(), 5); // 20 prompts of 8 tokens: one step, then all 20 decode
      assertTrue(s.add(request(99, 300, 100)).isEmpty());
      StepPlan plan = s.schedule();
      long decoding = plan.chunks().stream().filter(c -> c.numTokens() == 1).count();
      assertEquals(20, decoding);
      assertEquals(perStream == 0 ? 16 : 80, plan.numTokens() - decoding,
          "prompt tokens beside 20 streams with " + perStream + " per stream");
    }
  }

  @Test
  void budgetAndSequenceCapHoldEveryStepUnderRandomLoad() {
    SchedulerConfig config = SchedulerConfig.defaults(2048, Set.of(EOS)).withMaxNumBatchedTokens(128).withMaxNumSeqs(8);
    Scheduler s = new Scheduler(config.withMaxNumWaiting(1000), new KvCacheManager(100, 16, true));
    runRandomLoad(s, new Random(7), 40, plan -> {
      assertTrue(plan.numTokens() <= 128, "budget");
      assertTrue(plan.chunks().size() <= 8, "sequence cap");
    });
    assertTrue(s.stats().numPreemptionsTotal() > 0, "the pool is small enough to force preemption");
  }

  @Test
  void aSlidingWindowPoolStaysConsistentUnderRandomLoadAndEndsFull() {
    SchedulerConfig config = SchedulerConfig.defaults(2048, Set.of(EOS)).withMaxNumBatchedTokens(128).withMaxNumSeqs(8);
    KvCacheManager kv = new KvCacheManager(24, 16, true, 40); // every query sees its last 40 positions
    Scheduler s = new Scheduler(config.withMaxNumWaiting(1000), kv);
    runRandomLoad(s, new Random(11), 200, plan -> {
      for (SequenceChunk c : plan.chunks()) {
        // Every block a query of the chunk can see is held; only blocks behind the window may be released.
        int firstVisible = Math.max(0, c.startPosition() - 40 + 1) / 16;
        for (int b = firstVisible; b < (c.contextLength() + 15) / 16; b++) {
          assertTrue(c.blockTable()[b] >= 0, "sequence " + c.sequenceId() + " block " + b + " released too early");
        }
      }
    });
    assertEquals(0, kv.numUsedBlocks());
    assertEquals(24, kv.numFreeBlocks(), "every block came back exactly once");
    assertTrue(s.stats().numPreemptionsTotal() > 0, "the pool is small enough to force preemption");
  }

  /**
   * 2000 steps with a request of up to 300 prompt and {@code maxTokens} new tokens arriving one step in five,
   * each plan checked by {@code check}, then a drain; every request must finish.
   */
  private static void runRandomLoad(Scheduler s, Random random, int maxTokens, Consumer<StepPlan> check) {
    long nextId = 0;
    int finished = 0;
    for (int i = 0; i < 2000; i++) {
      if (random.nextInt(5) == 0) {
        Optional<Rejection> a = s.add(request(nextId++, 1 + random.nextInt(300), 1 + random.nextInt(maxTokens)));
        assertTrue(a.isEmpty(), () -> a.get().message());
      }
      StepPlan plan = s.schedule();
      check.accept(plan);
      for (SequenceUpdate u : step(s, plan, 1 + random.nextInt(50))) {
        finished += u.isFinished() ? 1 : 0;
      }
    }
    while (s.hasWork()) {
      for (SequenceUpdate u : step(s, s.schedule(), 3)) {
        finished += u.isFinished() ? 1 : 0;
      }
    }
    assertEquals(nextId, finished);
  }

  @Test
  void newestRunningSequenceIsPreemptedWhenBlocksRunOut() {
    Scheduler s = scheduler(512, 6, 4096); // 96 slots
    s.add(request(1, 40, 100)); // 3 blocks
    s.add(request(2, 40, 100)); // 3 blocks
    step(s, s.schedule(), 5);
    // 41 tokens each now; decoding position 40 needs nothing new (block 3 covers 32..47), until 48.
    StepPlan plan;
    do {
      plan = s.schedule();
      step(s, plan, 5);
    } while (plan.preempted().isEmpty());
    assertEquals(List.of("2"), plan.preempted().stream().map(s::requestIdOf).toList());
    assertEquals(1, s.numRunning());
    assertEquals(1, s.numWaiting());
  }

  @Test
  void preemptedSequencesDoNotFillTheQueue() {
    SchedulerConfig config = SchedulerConfig.defaults(4096, Set.of(EOS)).withMaxNumBatchedTokens(512)
        .withMaxNumSeqs(2).withMaxNumWaiting(1);
    Scheduler s = new Scheduler(config, new KvCacheManager(6, config.blockSize(), true));
    s.add(request(1, 40, 100));
    s.add(request(2, 40, 100));
    StepPlan plan;
    do {
      plan = s.schedule();
      step(s, plan, 5);
    } while (plan.preempted().isEmpty());
    assertEquals(1, s.numWaiting(), "request 2, preempted");
    assertTrue(s.add(request(3, 5, 5)).isEmpty(), "takes the free running slot");
    assertTrue(s.add(request(4, 5, 5)).isEmpty(), "the one queued place: the preempted request does not hold it");
    assertEquals(Rejection.Reason.QUEUE_FULL, s.add(request(5, 5, 5)).orElseThrow().reason());
  }

  @Test
  void refusesPromptsThatCanNeverFit() {
    Scheduler s = scheduler(256, 10, 4096); // the pool holds 160 tokens
    Rejection tooBigForPool = s.add(request(1, 200, 10)).orElseThrow();
    assertEquals(Rejection.Reason.CONTEXT_LENGTH_EXCEEDED, tooBigForPool.reason());
    assertTrue(tooBigForPool.message().contains("160") && tooBigForPool.message().contains("200"));
    Scheduler small = scheduler(256, 100, 64);
    assertEquals(Rejection.Reason.CONTEXT_LENGTH_EXCEEDED, small.add(request(1, 64, 1)).orElseThrow().reason());
    assertTrue(small.add(request(2, 63, 1)).isEmpty());
    assertEquals(Rejection.Reason.INVALID, small.add(request(2, 5, 1)).orElseThrow().reason(), "duplicate id");
    assertEquals(Rejection.Reason.INVALID, small.add(GenerationRequest.of("3", new int[0], SamplingParams.GREEDY, 5)).orElseThrow().reason());
    assertEquals(Rejection.Reason.INVALID, small.add(request(4, 5, 0)).orElseThrow().reason());
    assertFalse(small.contains("3"));
  }

  @Test
  void refusesWhenTheQueueBeyondTheFreeRunningSlotsIsFull() {
    SchedulerConfig config = SchedulerConfig.defaults(512, Set.of()).withMaxNumSeqs(2).withMaxNumWaiting(2);
    Scheduler s = new Scheduler(config, new KvCacheManager(100, 16, true));
    // An idle replica takes the 2 sequences its free slots will run plus 2 queued: 4 choices arriving together.
    for (int id = 1; id <= 4; id++) {
      assertTrue(s.add(request(id, 5, 5)).isEmpty(), "request " + id);
    }
    assertEquals(Rejection.Reason.QUEUE_FULL, s.add(request(5, 5, 5)).orElseThrow().reason());
    s.schedule(); // two admitted to running: two still wait, no slot is free
    assertEquals(Rejection.Reason.QUEUE_FULL, s.add(request(5, 5, 5)).orElseThrow().reason());
    s.abort("1"); // a slot frees: the queue has room again
    assertTrue(s.add(request(5, 5, 5)).isEmpty());
  }

  @Test
  void finishesOnEosMaxTokensAndContextEnd() {
    Scheduler s = scheduler(512, 100, 12);
    s.add(request(1, 5, 100)); // stops on EOS
    s.add(request(2, 5, 2)); // max_tokens
    s.add(request(3, 9, 100)); // context of 12
    Map<Long, SampledToken> sampled = new HashMap<>();
    StepPlan plan = s.schedule();
    for (SequenceChunk c : plan.chunks()) {
      sampled.put(c.sequenceId(), SampledToken.of(s.requestIdOf(c.sequenceId()).equals("1") ? EOS : 7));
    }
    List<SequenceUpdate> first = s.update(plan, sampled);
    assertEquals(FinishReason.STOP, first.get(0).finishReason());
    assertNull(first.get(1).finishReason());
    assertTrue(first.get(1).isFirstToken());
    List<SequenceUpdate> second = step(s, s.schedule(), 7);
    assertEquals(FinishReason.LENGTH, second.get(0).finishReason());
    assertEquals(2, second.get(0).numGeneratedTokens());
    assertNull(second.get(1).finishReason());
    List<SequenceUpdate> third = step(s, s.schedule(), 7);
    assertEquals(FinishReason.LENGTH, third.get(0).finishReason());
    assertEquals(3, third.get(0).numGeneratedTokens(), "9 + 3 = 12 tokens, the whole context");
    assertFalse(s.hasWork());
  }

  @Test
  void ignoreEosKeepsGeneratingThroughEosUntilMaxTokensOrContextEnd() {
    Scheduler s = scheduler(512, 100, 12);
    s.add(new GenerationRequest("1", request(1, 5, 0).promptIds(), SamplingParams.GREEDY, 4, true)); // max_tokens 4
    s.add(new GenerationRequest("2", request(2, 9, 0).promptIds(), SamplingParams.GREEDY, 100, true)); // context of 12
    s.add(request(3, 5, 100)); // the default still stops on EOS
    List<SequenceUpdate> first = step(s, s.schedule(), EOS);
    assertNull(first.get(0).finishReason());
    assertNull(first.get(1).finishReason());
    assertEquals(FinishReason.STOP, first.get(2).finishReason());
    step(s, s.schedule(), EOS);
    List<SequenceUpdate> third = step(s, s.schedule(), EOS);
    assertEquals(FinishReason.LENGTH, third.get(1).finishReason(), "9 + 3 = 12 tokens, the whole context");
    assertNull(third.get(0).finishReason());
    List<SequenceUpdate> fourth = step(s, s.schedule(), EOS);
    assertEquals(FinishReason.LENGTH, fourth.get(0).finishReason());
    assertEquals(4, fourth.get(0).numGeneratedTokens());
    assertEquals(EOS, fourth.get(0).token().tokenId());
    assertFalse(s.hasWork());
  }

  @Test
  void missingTokenFinishesWithErrorAndFreesBlocks() {
    KvCacheManager kv = new KvCacheManager(10, 16, true);
    Scheduler s = new Scheduler(SchedulerConfig.defaults(512, Set.of()), kv);
    s.add(request(1, 20, 5));
    List<SequenceUpdate> updates = s.update(s.schedule(), Map.of());
    assertEquals(FinishReason.ERROR, updates.get(0).finishReason());
    assertEquals(0, kv.numUsedBlocks());
  }

  @Test
  void abortFreesBlocksWhereverTheSequenceIs() {
    KvCacheManager kv = new KvCacheManager(10, 16, true);
    Scheduler s = new Scheduler(SchedulerConfig.defaults(512, Set.of()), kv);
    s.add(request(1, 20, 5));
    step(s, s.schedule(), 3);
    s.add(request(2, 20, 5));
    assertTrue(s.abort("1"));
    assertTrue(s.abort("2"));
    assertFalse(s.abort("2"));
    assertEquals(0, kv.numUsedBlocks());
    assertFalse(s.hasWork());
  }
}
