package dev.robin.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.scheduler.StepPlan;
import dev.robin.engine.testkit.FakeRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EngineCoreTest {

  private static final int VOCAB = 500;
  private static final int EOS = 0;

  private final Map<Long, GreedyTestSampler> samplers = new HashMap<>();

  private EngineCore engine(FakeRunner runner, int budget, boolean prefixCaching) {
    SchedulerConfig config =
        SchedulerConfig.defaults(4096, Set.of(EOS))
            .withMaxNumBatchedTokens(budget)
            .withMaxNumSeqs(16)
            .withMaxNumWaiting(10_000)
            .withPrefixCaching(prefixCaching);
    return new EngineCore(config, runner, params -> new GreedyTestSampler());
  }

  private static int[] prompt(long seed, int length) {
    Random r = new Random(seed);
    return IntStream.range(0, length).map(i -> 1 + r.nextInt(VOCAB - 1)).toArray();
  }

  private static GenerationRequest request(long id, int[] prompt, int maxTokens) {
    return GenerationRequest.of(String.valueOf(id), prompt, SamplingParams.GREEDY, maxTokens);
  }

  /** The numeric id these tests give their requests. */
  private static long id(SequenceOutput out) {
    return Long.parseLong(out.requestId());
  }

  /** Steps until idle; returns each sequence's tokens and records finish reasons. */
  private static Map<Long, List<Integer>> drain(EngineCore engine, Map<Long, FinishReason> finishes) {
    Map<Long, List<Integer>> tokens = new HashMap<>();
    while (engine.hasWork()) {
      collect(engine.step(), tokens, finishes);
    }
    return tokens;
  }

  private static void collect(
      List<SequenceOutput> outputs, Map<Long, List<Integer>> tokens, Map<Long, FinishReason> finishes) {
    for (SequenceOutput out : outputs) {
      List<Integer> list = tokens.computeIfAbsent(id(out), id -> new ArrayList<>());
      out.newTokens().forEach(t -> list.add(t.tokenId()));
      if (out.isFinished()) {
        finishes.put(id(out), out.finishReason());
      }
    }
  }

  @Test
  void preemptedSequencesResumeWithTheSameTokensAsAnUninterruptedRun() {
    for (boolean prefixCaching : new boolean[] {true, false}) {
      EngineCore roomy = engine(FakeRunner.of(1000, 16, VOCAB), 256, prefixCaching);
      EngineCore tight = engine(FakeRunner.of(20, 16, VOCAB), 256, prefixCaching);
      for (long id = 0; id < 12; id++) {
        int[] p = prompt(id, 30 + (int) (id * 5));
        assertTrue(roomy.submit(request(id, p, 60)).isEmpty());
        assertTrue(tight.submit(request(id, p, 60)).isEmpty());
      }
      Map<Long, FinishReason> roomyFinishes = new HashMap<>();
      Map<Long, FinishReason> tightFinishes = new HashMap<>();
      Map<Long, List<Integer>> expected = drain(roomy, roomyFinishes);
      Map<Long, List<Integer>> actual = drain(tight, tightFinishes);
      assertEquals(0, roomy.stats().numPreemptionsTotal());
      assertTrue(tight.stats().numPreemptionsTotal() > 0, "the tight pool must preempt");
      assertEquals(expected, actual);
      assertEquals(roomyFinishes, tightFinishes);
      assertEquals(12, actual.size());
      assertEquals(0, tight.stats().numKvBlocksUsed());
    }
  }

  @Test
  void longPromptTakesFourStepsOfBudgetWhileOthersKeepDecoding() {
    FakeRunner runner = FakeRunner.of(200, 16, VOCAB);
    EngineCore engine = engine(runner, 256, true);
    engine.submit(request(1, prompt(1, 10), 50));
    engine.submit(request(2, prompt(2, 10), 50));
    engine.step();
    engine.submit(request(3, prompt(3, 1000), 5));
    int steps = 0;
    boolean firstTokenOf3 = false;
    while (!firstTokenOf3) {
      List<SequenceOutput> outputs = engine.step();
      steps++;
      assertTrue(outputs.stream().anyMatch(o -> id(o) == 1 && o.newTokens().size() == 1));
      assertTrue(outputs.stream().anyMatch(o -> id(o) == 2 && o.newTokens().size() == 1));
      firstTokenOf3 = outputs.stream().anyMatch(o -> id(o) == 3);
    }
    assertEquals(4, steps);
    for (StepPlan plan : runner.plans()) {
      assertTrue(plan.numTokens() <= 256);
    }
  }

  @Test
  void lastStepSplitsItsTokensIntoDecodeAndComputedPromptTokens() {
    FakeRunner runner = FakeRunner.of(200, 16, VOCAB);
    EngineCore engine = engine(runner, 256, true);
    int[] longPrompt = prompt(2, 300);
    assertEquals(StepTokens.NONE, engine.lastStep());
    engine.submit(new GenerationRequest("1", prompt(1, 20), SamplingParams.GREEDY, 50, true));
    engine.step();
    assertEquals(new StepTokens(0, 20), engine.lastStep(), "prefill only");
    engine.step();
    assertEquals(new StepTokens(1, 0), engine.lastStep(), "decode only");
    engine.submit(new GenerationRequest("2", longPrompt, SamplingParams.GREEDY, 50, true));
    engine.step();
    assertEquals(new StepTokens(1, 255), engine.lastStep(), "a prompt chunk rides along with a decode");
    engine.step();
    assertEquals(new StepTokens(1, 45), engine.lastStep(), "the prompt's last chunk");
    engine.step();
    assertEquals(new StepTokens(2, 0), engine.lastStep());
    // 32 of its 33 prompt tokens are cached blocks of request 2: its single computed token is prompt work.
    int[] sharesTwoBlocks = IntStream.concat(IntStream.of(longPrompt).limit(32), IntStream.of(7)).toArray();
    engine.submit(new GenerationRequest("3", sharesTwoBlocks, SamplingParams.GREEDY, 50, true));
    engine.step();
    assertEquals(new StepTokens(2, 1), engine.lastStep(), "cached prompt tokens are not computed");
    engine.step();
    assertEquals(new StepTokens(3, 0), engine.lastStep());
    for (StepPlan plan : runner.plans()) {
      assertTrue(plan.numTokens() <= 256);
    }

    engine.abortAll();
    engine.step();
    assertEquals(StepTokens.NONE, engine.lastStep(), "nothing to compute");
    engine.submit(request(4, prompt(4, 10), 5));
    runner.failNextStep(new IllegalStateException("device lost"));
    engine.step();
    assertEquals(new StepTokens(0, 10), engine.lastStep(), "a failed step still spent its time");
  }

  @Test
  void abortsFreeEveryBlock() {
    FakeRunner runner = FakeRunner.of(60, 16, VOCAB);
    EngineCore engine = engine(runner, 128, true);
    Random random = new Random(3);
    List<Long> live = new ArrayList<>();
    int numAborted = 0;
    for (long id = 0; id < 200; id++) {
      assertTrue(engine.submit(request(id, prompt(id % 7, 5 + random.nextInt(120)), 1 + random.nextInt(80))).isEmpty());
      live.add(id);
      for (SequenceOutput out : engine.step()) {
        if (out.isFinished()) {
          live.remove(id(out));
        }
      }
      if (random.nextInt(2) == 0 && !live.isEmpty()) {
        assertTrue(engine.abort(String.valueOf(live.remove(random.nextInt(live.size())))));
        numAborted++;
      }
    }
    while (!live.isEmpty()) {
      assertTrue(engine.abort(String.valueOf(live.remove(random.nextInt(live.size())))));
      numAborted++;
    }
    assertFalse(engine.hasWork());
    assertTrue(numAborted > 50);
    EngineStats stats = engine.stats();
    assertEquals(0, stats.numKvBlocksUsed(), "pool exactly full again");
    assertEquals(60, stats.numKvBlocksTotal());
    assertEquals(0, stats.numRunning() + stats.numWaiting());
  }

  @Test
  void secondRequestWithTheSamePrefixReportsItsCachedTokensAndTheSameOutput() {
    int[] shared = prompt(42, 48);
    int[] first = IntStream.concat(IntStream.of(shared), IntStream.of(prompt(1, 5))).toArray();
    int[] second = IntStream.concat(IntStream.of(shared), IntStream.of(prompt(2, 7))).toArray();
    EngineCore engine = engine(FakeRunner.of(100, 16, VOCAB), 256, true);
    engine.submit(request(1, first, 10));
    drain(engine, new HashMap<>());
    engine.submit(request(2, second, 10));
    List<SequenceOutput> outputs = engine.step();
    assertEquals(48, outputs.get(0).numCachedPromptTokens());
    assertTrue(outputs.get(0).isFirst());
    Map<Long, List<Integer>> tokens = new HashMap<>();
    collect(outputs, tokens, new HashMap<>());
    tokens.get(2L).addAll(drain(engine, new HashMap<>()).get(2L));

    EngineCore fresh = engine(FakeRunner.of(100, 16, VOCAB), 256, false);
    fresh.submit(request(2, second, 10));
    assertEquals(drain(fresh, new HashMap<>()).get(2L), tokens.get(2L), "shared blocks hold the right KV");
    assertEquals(48.0 / (first.length + second.length), engine.stats().prefixCacheHitRate(), 1e-9);
  }

  @Test
  void aFullPoolEvictsTheLeastRecentlyUsedPrefixFirst() {
    EngineCore engine = engine(FakeRunner.of(10, 16, VOCAB), 256, true);
    int[] prefixA = prompt(100, 48);
    int[] prefixB = prompt(200, 48);
    long id = 0;
    for (int[] prefix : List.of(prefixA, prefixB)) {
      engine.submit(request(id++, withSuffix(prefix, 1), 1)); // 4 blocks, 3 of them cached
      drain(engine, new HashMap<>());
    }
    assertEquals(6, engine.stats().numKvBlocksCached());
    engine.submit(request(id++, prompt(300, 70), 1)); // 5 blocks: the 4 uncached ones, then A's tail
    drain(engine, new HashMap<>());
    engine.submit(request(id, withSuffix(prefixB, 2), 1));
    assertEquals(48, engine.step().get(0).numCachedPromptTokens(), "B, used last, is intact");
    engine.submit(request(id + 1, withSuffix(prefixA, 3), 1));
    assertEquals(32, engine.step().get(0).numCachedPromptTokens(), "A lost its last block");
  }

  private static int[] withSuffix(int[] prefix, int seed) {
    return IntStream.concat(IntStream.of(prefix), IntStream.of(prompt(seed, 1))).toArray();
  }

  @Test
  void everyRequestFinishesUnderSustainedLoad() {
    FakeRunner runner = FakeRunner.of(64, 16, VOCAB);
    EngineCore engine = engine(runner, 128, true);
    Random random = new Random(11);
    Map<Long, FinishReason> finishes = new HashMap<>();
    Map<Long, Integer> submittedAt = new HashMap<>();
    int maxLatency = 0;
    long nextId = 0;
    for (int stepNo = 0; stepNo < 3000 || engine.hasWork(); stepNo++) {
      if (stepNo < 3000 && stepNo % 4 == 0) {
        submittedAt.put(nextId, stepNo);
        assertTrue(engine.submit(request(nextId, prompt(nextId, 1 + random.nextInt(150)), 1 + random.nextInt(60))).isEmpty());
        nextId++;
      }
      for (SequenceOutput out : engine.step()) {
        if (out.isFinished()) {
          finishes.put(id(out), out.finishReason());
          maxLatency = Math.max(maxLatency, stepNo - submittedAt.get(id(out)));
        }
      }
      assertTrue(engine.stats().numWaiting() < 100, "the queue stays bounded under this load");
    }
    assertEquals(nextId, finishes.size(), "every request finished");
    assertTrue(finishes.values().stream().allMatch(r -> r == FinishReason.LENGTH || r == FinishReason.STOP));
    assertTrue(maxLatency < 1500, "no request waits for ever: " + maxLatency);
    assertTrue(runner.plans().stream().allMatch(p -> p.numTokens() <= 128));
    assertEquals(0, engine.stats().numKvBlocksUsed());
  }

  @Test
  void refusesAPromptThatCanNeverFitAndHoldsNothing() {
    EngineCore engine = engine(FakeRunner.of(10, 16, VOCAB), 256, true);
    Rejection refused = engine.submit(request(1, prompt(1, 161), 5)).orElseThrow();
    assertEquals(Rejection.Reason.CONTEXT_LENGTH_EXCEEDED, refused.reason());
    assertFalse(engine.hasWork());
    assertTrue(engine.submit(request(1, prompt(1, 100), 5)).isEmpty(), "the id is free again");
  }

  @Test
  void aRunnerFailureFailsTheStepsSequencesAndTheEngineCarriesOn() {
    FakeRunner runner = FakeRunner.of(50, 16, VOCAB);
    EngineCore engine = engine(runner, 256, true);
    engine.submit(request(1, prompt(1, 20), 5));
    engine.submit(request(2, prompt(2, 20), 5));
    runner.failNextStep(new IllegalStateException("device lost"));
    List<SequenceOutput> outputs = engine.step();
    assertEquals(2, outputs.size());
    assertTrue(outputs.stream().allMatch(o -> o.finishReason() == FinishReason.ERROR));
    assertEquals(0, engine.stats().numKvBlocksUsed());
    assertEquals(1, engine.stats().numFailedStepsTotal());
    engine.submit(request(3, prompt(3, 20), 5));
    Map<Long, FinishReason> finishes = new HashMap<>();
    assertEquals(5, drain(engine, finishes).get(3L).size());
    assertEquals(FinishReason.LENGTH, finishes.get(3L));
  }

  @Test
  void stopsOnEosAndFeedsEachSamplerItsTokens() {
    // The fake model says EOS once the context holds 8 tokens.
    FakeRunner runner = FakeRunner.of(50, 16, VOCAB, ctx -> ctx.length >= 8 ? EOS : ctx.length);
    SchedulerConfig config = SchedulerConfig.defaults(4096, Set.of(EOS));
    EngineCore engine =
        new EngineCore(config, runner, params -> {
          GreedyTestSampler s = new GreedyTestSampler();
          samplers.put((long) samplers.size(), s);
          return s;
        });
    engine.submit(request(7, prompt(7, 5), 100));
    Map<Long, FinishReason> finishes = new HashMap<>();
    List<Integer> tokens = drain(engine, finishes).get(7L);
    assertEquals(List.of(5, 6, 7, EOS), tokens);
    assertEquals(FinishReason.STOP, finishes.get(7L));
    assertEquals(tokens, samplers.get(0L).accepted);
    engine.close();
    assertTrue(runner.isClosed());
  }

  @Test
  void ignoreEosGeneratesExactlyMaxTokensThroughEos() {
    // The fake model says EOS once the context holds 8 tokens, and again after that.
    FakeRunner runner = FakeRunner.of(50, 16, VOCAB, ctx -> ctx.length >= 8 ? EOS : ctx.length);
    EngineCore engine = new EngineCore(SchedulerConfig.defaults(4096, Set.of(EOS)), runner, p -> new GreedyTestSampler());
    engine.submit(new GenerationRequest("1", prompt(1, 5), SamplingParams.GREEDY, 10, true));
    engine.submit(new GenerationRequest("2", prompt(2, 5), SamplingParams.GREEDY, 10, false));
    Map<Long, FinishReason> finishes = new HashMap<>();
    Map<Long, List<Integer>> tokens = drain(engine, finishes);
    assertEquals(List.of(5, 6, 7, EOS, EOS, EOS, EOS, EOS, EOS, EOS), tokens.get(1L));
    assertEquals(FinishReason.LENGTH, finishes.get(1L));
    assertEquals(List.of(5, 6, 7, EOS), tokens.get(2L));
    assertEquals(FinishReason.STOP, finishes.get(2L));
    assertEquals(0, engine.stats().numKvBlocksUsed());
  }

  @Test
  void badSamplingParametersAreRefused() {
    SchedulerConfig config = SchedulerConfig.defaults(4096, Set.of(EOS));
    EngineCore engine =
        new EngineCore(config, FakeRunner.of(10, 16, VOCAB), params -> {
          throw new IllegalArgumentException("top_p must be in (0, 1]");
        });
    Rejection a = engine.submit(request(1, prompt(1, 5), 5)).orElseThrow();
    assertEquals(Rejection.Reason.INVALID, a.reason());
    assertEquals("top_p must be in (0, 1]", a.message());
    assertFalse(engine.hasWork());
  }

  @Test
  void logprobsOfSampledTokensReachTheOutput() {
    EngineCore engine =
        new EngineCore(
            SchedulerConfig.defaults(4096, Set.of()),
            FakeRunner.of(10, 16, VOCAB),
            params -> new dev.robin.engine.sampling.Sampler() {
              @Override
              public SampledToken sample(float[] logits) {
                return new SampledToken(3, -0.5f, new int[] {3}, new float[] {-0.5f});
              }

              @Override
              public void accept(int tokenId) {}
            });
    engine.submit(request(1, prompt(1, 5), 1));
    SequenceOutput out = engine.step().get(0);
    assertEquals(-0.5f, out.newTokens().get(0).logprob());
    assertEquals(FinishReason.LENGTH, out.finishReason());
  }
}
