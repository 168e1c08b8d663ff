package dev.robin.engine.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.GenerationRequest;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.model.LlamaRunner;
import dev.robin.engine.scheduler.Admission;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A thousand requests on the real runner leave nothing behind, measured two ways.
 *
 * <p><b>Live NDArrays, exact.</b> Every PyTorch NDArray DJL creates is registered with an {@link NDManager}
 * (the runner's, or a step's sub-manager attached to it) until closed, and every manager hangs off the
 * engine's system manager; {@link NDManager#getManagedArrays()} on that root walks the whole tree. So the
 * count after 1000 requests must equal the count after the warm-up exactly: one array kept per step (a
 * forgotten {@code attach}, a cache tensor reallocated instead of written in place) would show as 1000s.
 * It cannot see native memory DJL does not track (a tensor handle dropped without {@code close}, JNI buffers).
 *
 * <p><b>Resident memory, approximate.</b> {@code VmRSS} from {@code /proc/self/status} sees everything the
 * process holds, including such native leaks, but also the JVM heap's growth, glibc arena fragmentation and
 * PyTorch's allocator keeping freed blocks; so it is compared after a 100-request warm-up (which grows the
 * heap, arenas and allocator pools to their working size) and allowed a stated slack. With ~1500 steps, the
 * 48 MiB bound catches a leak of ~32 KiB per step, smaller than one step's activations of a 200-token chunk.
 */
@Tag("slow")
class NoLeakTest {

  private static final int WARM_UP = 100;
  private static final int REQUESTS = 1_000;
  private static final long RSS_SLACK_BYTES = 48L << 20;

  @Test
  void aThousandRequestsLeaveNoNdArrayAndNoNativeMemoryBehind() throws Exception {
    Random random = new Random(99);
    LlamaRunner llama = RealEngine.runner(256);
    NDManager root = root(llama);
    try (EngineCore engine = RealEngine.engine(llama, 256)) {
      serve(engine, random, 0, WARM_UP);
      settle();
      int arraysAfterWarmUp = root.getManagedArrays().size();
      long rssAfterWarmUp = rssBytes();
      long heapAfterWarmUp = heapUsed();

      serve(engine, random, WARM_UP, REQUESTS);
      settle();
      int arraysAfter = root.getManagedArrays().size();
      long rssAfter = rssBytes();
      System.out.printf(
          "leaks: live NDArrays %d -> %d; VmRSS %.1f -> %.1f MiB (%+.1f); heap used %.1f -> %.1f MiB%n",
          arraysAfterWarmUp, arraysAfter, rssAfterWarmUp / 1048576.0, rssAfter / 1048576.0,
          (rssAfter - rssAfterWarmUp) / 1048576.0, heapAfterWarmUp / 1048576.0, heapUsed() / 1048576.0);
      assertEquals(0, engine.stats().numKvBlocksUsed());
      assertEquals(arraysAfterWarmUp, arraysAfter, "live NDArrays after 1000 more requests");
      assertTrue(
          rssAfter - rssAfterWarmUp < RSS_SLACK_BYTES,
          "resident memory grew by " + (rssAfter - rssAfterWarmUp) / 1048576 + " MiB over 1000 requests");
    }
    assertEquals(0, llama.weights().arrays().stream().filter(a -> !a.isReleased()).count(), "closed with the engine");
  }

  /**
   * Serves requests {@code [from, to)}: at most 32 in flight, prompts of 1 to 200 random tokens (a third
   * sharing a prefix), random sampling and lengths, one in ten aborted after a few steps.
   */
  private static void serve(EngineCore engine, Random random, int from, int to) {
    int[] prefix = RealEngine.randomPrompt(random, 40);
    List<long[]> toAbort = new ArrayList<>(); // {id, step}
    int next = from;
    int step = 0;
    while (next < to || engine.hasWork()) {
      while (next < to && engine.stats().numWaiting() + engine.stats().numRunning() < 32) {
        int[] prompt = RealEngine.randomPrompt(random, 1 + random.nextInt(200));
        if (random.nextInt(3) == 0) {
          System.arraycopy(prefix, 0, prompt, 0, Math.min(prefix.length, prompt.length));
        }
        GenerationRequest request =
            new GenerationRequest(
                next, prompt, RealEngine.randomSampling(random), 1 + random.nextInt(32), random.nextBoolean());
        Admission admission = engine.submit(request);
        assertTrue(admission.isAccepted(), admission.message());
        if (random.nextInt(10) == 0) {
          toAbort.add(new long[] {next, step + 1 + random.nextInt(8)});
        }
        next++;
      }
      for (long[] abort : List.copyOf(toAbort)) {
        if (abort[1] <= step) {
          engine.abort(abort[0]);
          toAbort.remove(abort);
        }
      }
      List<SequenceOutput> outputs = engine.step();
      assertTrue(outputs.stream().noneMatch(o -> o.finishReason() == dev.robin.engine.scheduler.FinishReason.ERROR));
      step++;
    }
  }

  /** The root of the manager tree the runner's arrays live in (DJL's system manager for the engine). */
  private static NDManager root(LlamaRunner runner) {
    NDManager manager = runner.weights().arrays().get(0).getManager();
    while (manager.getParentManager() != null) {
      manager = manager.getParentManager();
    }
    return manager;
  }

  private static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
