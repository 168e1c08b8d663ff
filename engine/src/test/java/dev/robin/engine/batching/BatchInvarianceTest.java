package dev.robin.engine.batching;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import java.util.Optional;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.EngineStats;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.testkit.GoldenCase;
import dev.robin.engine.testkit.TestModels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching with the real runner does not change what a request generates: each golden prompt
 * of stories260k, decoded greedily while 15 random requests (random prompts, lengths, max_tokens and
 * sampling parameters) join and leave the batch at random steps, still yields llama2.c's 64 tokens; and a
 * seeded sampled request yields the same tokens alone and in such a batch. A step budget of 64 tokens
 * splits prompts into chunks mixed with decodes; the tight-pool variant forces preemptions (recomputation).
 */
class BatchInvarianceTest {

  private static final long TARGET = 1_000;
  private static final int NUM_COMPANIONS = 15;
  private static final int BUDGET = 64;
  private static final SamplingParams SEEDED = new SamplingParams(0.8, 0.9, 0, 42L, 0.0, 0.0, -1, LogitBias.NONE);

  /** A request and the step at which it is submitted. */
  private record Arrival(GenerationRequest request, int step) {}

  /** What a run produced: each sequence's tokens and finish reason. */
  private record Run(Map<Long, List<Integer>> tokens, Map<Long, FinishReason> finishes) {
    int[] tokensOf(long id) {
      return tokens.getOrDefault(id, List.of()).stream().mapToInt(Integer::intValue).toArray();
    }
  }

  @Test
  void goldenOutputsSurviveRandomNeighboursWithChunkedPrefill() {
    assertGoldenInBatches(512, 11);
  }

  @Test
  void goldenOutputsSurviveRandomNeighboursAndPreemption() {
    EngineStats stats = assertGoldenInBatches(40, 23);
    assertTrue(stats.numPreemptionsTotal() > 0, "a 40-block pool must preempt: " + stats);
  }

  @Test
  void aSeededSampledRequestGivesTheSameTokensAloneAndInABatch() {
    int[] prompt = TestModels.stories260kGoldenCases().get(0).promptIds();
    GenerationRequest seeded = new GenerationRequest(String.valueOf(TARGET), prompt, SEEDED, 64, true);
    int[] alone;
    try (EngineCore engine = RealEngine.engine(RealEngine.runner(64), BUDGET)) {
      alone = run(engine, List.of(new Arrival(seeded, 0))).tokensOf(TARGET);
    }
    assertEquals(64, alone.length);
    for (int numBlocks : new int[] {512, 40}) {
      Random random = new Random(31 + numBlocks);
      try (EngineCore engine = RealEngine.engine(RealEngine.runner(numBlocks), BUDGET)) {
        List<Arrival> arrivals = companions(random);
        arrivals.add(new Arrival(seeded, random.nextInt(40)));
        Run run = run(engine, arrivals);
        assertArrayEquals(alone, run.tokensOf(TARGET), "seeded request beside 15 others, pool " + numBlocks);
        assertEquals(0, engine.stats().numKvBlocksUsed());
      }
    }
  }

  /** Runs every golden case beside random neighbours on one engine; returns the engine's final stats. */
  private static EngineStats assertGoldenInBatches(int numBlocks, long seed) {
    Random random = new Random(seed);
    try (EngineCore engine = RealEngine.engine(RealEngine.runner(numBlocks), BUDGET)) {
      long offset = 0;
      for (GoldenCase c : TestModels.stories260kGoldenCases()) {
        offset += 10_000;
        List<Arrival> arrivals = new ArrayList<>();
        for (Arrival a : companions(random)) {
          GenerationRequest r = a.request();
          arrivals.add(new Arrival(
              new GenerationRequest(String.valueOf(offset + Long.parseLong(r.id())), r.promptIds(), r.sampling(), r.maxTokens(), r.ignoreEos()),
              a.step()));
        }
        long target = offset + TARGET;
        // A late arrival is the newest running sequence, the first to be preempted.
        arrivals.add(new Arrival(
            GenerationRequest.of(String.valueOf(target), c.promptIds(), SamplingParams.GREEDY, c.outputIds().length),
            random.nextInt(40)));
        Run run = run(engine, arrivals);
        assertArrayEquals(
            c.outputIds(), run.tokensOf(target), "prompt \"" + c.prompt() + "\" with pool " + numBlocks);
        assertEquals(FinishReason.LENGTH, run.finishes().get(target));
        assertEquals(NUM_COMPANIONS + 1, run.finishes().size(), "every request finished");
        assertFalse(run.finishes().containsValue(FinishReason.ERROR), run.finishes().toString());
        EngineStats stats = engine.stats();
        assertEquals(0, stats.numKvBlocksUsed(), "the pool is whole again: " + stats);
      }
      return engine.stats();
    }
  }

  /** 15 random requests arriving at random steps in [0, 60). */
  private static List<Arrival> companions(Random random) {
    List<Arrival> arrivals = new ArrayList<>();
    for (long id = 0; id < NUM_COMPANIONS; id++) {
      int length = random.nextInt(5) == 0 ? 100 + random.nextInt(200) : 1 + random.nextInt(80);
      GenerationRequest request =
          new GenerationRequest(
              String.valueOf(id),
              RealEngine.randomPrompt(random, length),
              RealEngine.randomSampling(random),
              1 + random.nextInt(80),
              random.nextBoolean());
      arrivals.add(new Arrival(request, random.nextInt(60)));
    }
    return arrivals;
  }

  /** Submits each request at its step and steps until everything finished. */
  private static Run run(EngineCore engine, List<Arrival> arrivals) {
    List<Arrival> pending = new ArrayList<>(arrivals);
    pending.sort(Comparator.comparingInt(Arrival::step));
    Map<Long, List<Integer>> tokens = new HashMap<>();
    Map<Long, FinishReason> finishes = new HashMap<>();
    int step = 0;
    int next = 0;
    while (next < pending.size() || engine.hasWork()) {
      while (next < pending.size() && pending.get(next).step() <= step) {
        Optional<Rejection> admission = engine.submit(pending.get(next++).request());
        assertTrue(admission.isEmpty(), () -> admission.get().message());
      }
      for (SequenceOutput out : engine.step()) {
        List<Integer> list = tokens.computeIfAbsent(Long.parseLong(out.requestId()), id -> new ArrayList<>());
        for (SampledToken t : out.newTokens()) {
          list.add(t.tokenId());
        }
        if (out.isFinished()) {
          assertFalse(finishes.containsKey(Long.parseLong(out.requestId())), "finished twice: " + Long.parseLong(out.requestId()));
          finishes.put(Long.parseLong(out.requestId()), out.finishReason());
        }
      }
      step++;
    }
    return new Run(tokens, finishes);
  }
}
