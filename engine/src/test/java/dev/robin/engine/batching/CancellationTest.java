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
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.testkit.FakeRunner;
import dev.robin.engine.testkit.GoldenCase;
import dev.robin.engine.testkit.TestModels;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Aborting requests wherever they are (queued, halfway through a chunked prefill, decoding, already
 * finished) gives every KV block back: after 200 requests on the real runner, some with long prompts, some
 * sharing a prefix, aborted at random points on a pool small enough to preempt, the pool is exactly full
 * again (no block held: {@code numKvBlocksUsed == 0}, i.e. free blocks == total) and the engine still
 * produces the golden outputs, so no aborted sequence left wrong keys and values in the prefix cache.
 */
class CancellationTest {

  private static final int NUM_REQUESTS = 200;
  private static final int NUM_BLOCKS = 48;
  private static final int BUDGET = 64;

  /** Where a request is when the test aborts it. */
  enum Phase {
    WAITING,
    PREFILL,
    DECODE,
    FINISHED
  }

  /** A request, when it arrives, and where the test wants to abort it (null: let it finish). */
  private record Plan(GenerationRequest request, int arrivalStep, Phase abortIn) {}

  @Test
  void abortsAtRandomPointsLeaveThePoolExactlyFull() {
    Random random = new Random(2026);
    int[] sharedPrefix = RealEngine.randomPrompt(random, 3 * RealEngine.BLOCK_SIZE + 5);
    List<Plan> plans = new ArrayList<>();
    for (long id = 0; id < NUM_REQUESTS; id++) {
      plans.add(plan(random, id, sharedPrefix));
    }
    FakeRunner runner = FakeRunner.around(RealEngine.runner(NUM_BLOCKS));
    try (EngineCore engine = RealEngine.engine(runner, BUDGET)) {
      Map<Long, Plan> live = new HashMap<>();
      Set<Long> started = new HashSet<>();
      Set<Long> finished = new HashSet<>();
      Map<Phase, Integer> aborted = new EnumMap<>(Phase.class);
      int step = 0;
      int next = 0;
      long stepNanos = 0;
      while (next < plans.size() || engine.hasWork()) {
        while (next < plans.size() && plans.get(next).arrivalStep() <= step) {
          Plan plan = plans.get(next++);
          Optional<Rejection> admission = engine.submit(plan.request());
          assertTrue(admission.isEmpty(), () -> admission.get().message());
          live.put(Long.parseLong(plan.request().id()), plan);
        }
        for (Plan plan : List.copyOf(live.values())) {
          long id = Long.parseLong(plan.request().id());
          Phase phase = phase(runner, plan, started.contains(id));
          if (plan.abortIn() == phase && random.nextInt(3) == 0) {
            assertTrue(engine.abort(String.valueOf(id)), "abort of a live request " + id + " in " + phase);
            assertFalse(engine.abort(String.valueOf(id)), "a second abort finds nothing");
            aborted.merge(phase, 1, Integer::sum);
            live.remove(id);
          }
        }
        long start = System.nanoTime();
        List<SequenceOutput> outputs = engine.step();
        stepNanos += System.nanoTime() - start;
        for (SequenceOutput out : outputs) {
          if (!out.newTokens().isEmpty()) {
            started.add(Long.parseLong(out.requestId()));
          }
          if (out.isFinished()) {
            assertTrue(finished.add(Long.parseLong(out.requestId())));
            Plan plan = live.remove(Long.parseLong(out.requestId()));
            if (plan != null && plan.abortIn() == Phase.FINISHED) {
              assertFalse(engine.abort(out.requestId()), "aborting a finished request finds nothing");
              aborted.merge(Phase.FINISHED, 1, Integer::sum);
            }
          }
        }
        step++;
      }
      EngineStats stats = engine.stats();
      System.out.printf(
          "cancellation: %d steps, %d tokens computed, aborted %s, %d preemptions; per step %.2f ms, of which"
              + " the runner %.2f ms%n",
          runner.numSteps(), runner.numTokens(), aborted, stats.numPreemptionsTotal(),
          stepNanos / 1e6 / step, runner.executeNanos() / 1e6 / runner.numSteps());
      assertTrue(live.isEmpty(), "every request finished or was aborted: " + live.keySet());
      assertEquals(0, stats.numKvBlocksUsed(), "free blocks == total: " + stats);
      assertEquals(NUM_BLOCKS, stats.numKvBlocksTotal());
      assertEquals(0, stats.numRunning());
      assertEquals(0, stats.numWaiting());
      assertTrue(stats.numPreemptionsTotal() > 0, "the pool is small enough to preempt: " + stats);
      for (Phase phase : Phase.values()) {
        assertTrue(aborted.getOrDefault(phase, 0) >= 5, "aborts in every phase: " + aborted);
      }
      // The pool still serves correctly: whatever the aborted sequences cached is right.
      for (GoldenCase c : TestModels.stories260kGoldenCases()) {
        long id = 100_000 + c.promptIds().length * 31L + c.prompt().hashCode();
        engine.submit(GenerationRequest.of(String.valueOf(id), c.promptIds(), SamplingParams.GREEDY, c.outputIds().length));
        List<Integer> tokens = new ArrayList<>();
        while (engine.hasWork()) {
          for (SequenceOutput out : engine.step()) {
            out.newTokens().stream().map(SampledToken::tokenId).forEach(tokens::add);
          }
        }
        assertArrayEquals(c.outputIds(), tokens.stream().mapToInt(Integer::intValue).toArray(), c.prompt());
      }
      assertEquals(0, engine.stats().numKvBlocksUsed());
    }
  }

  private static Plan plan(Random random, long id, int[] sharedPrefix) {
    int kind = random.nextInt(10);
    int[] prompt;
    if (kind < 3) { // a shared prefix and its own tail
      int[] tail = RealEngine.randomPrompt(random, 1 + random.nextInt(60));
      prompt = new int[sharedPrefix.length + tail.length];
      System.arraycopy(sharedPrefix, 0, prompt, 0, sharedPrefix.length);
      System.arraycopy(tail, 0, prompt, sharedPrefix.length, tail.length);
    } else if (kind < 5) { // long: several prefill chunks of 64
      prompt = RealEngine.randomPrompt(random, 150 + random.nextInt(250));
    } else {
      prompt = RealEngine.randomPrompt(random, 1 + random.nextInt(60));
    }
    Phase abortIn = switch (random.nextInt(5)) {
      case 0 -> Phase.WAITING;
      case 1 -> prompt.length > BUDGET ? Phase.PREFILL : Phase.DECODE;
      case 2 -> Phase.DECODE;
      case 3 -> Phase.FINISHED;
      default -> null;
    };
    GenerationRequest request =
        new GenerationRequest(
            String.valueOf(id), prompt, RealEngine.randomSampling(random), 1 + random.nextInt(40), random.nextBoolean());
    return new Plan(request, (int) id * 2 + random.nextInt(5), abortIn);
  }

  /** Where a live request is now, as seen from the steps it was in and the tokens it produced. */
  private static Phase phase(FakeRunner runner, Plan plan, boolean started) {
    // The scheduler numbers sequences in admission order from 0, and these requests are admitted in id order
    // from 0: the runner sees request "n" as sequence n.
    long id = Long.parseLong(plan.request().id());
    if (started) {
      return Phase.DECODE;
    }
    if (!runner.wasScheduled(id)) {
      return Phase.WAITING;
    }
    return runner.computedTokens(id) < plan.request().promptIds().length ? Phase.PREFILL : Phase.DECODE;
  }
}
