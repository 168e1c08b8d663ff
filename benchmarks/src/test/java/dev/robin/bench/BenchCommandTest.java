package dev.robin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bench command's defaults and its comparison with the single stream. */
class BenchCommandTest {

  @Test
  void defaultRequestCountIsFourTimesTheConcurrencyButAtLeastSixteen() {
    assertEquals(16, BenchCommand.defaultRequests(1));
    assertEquals(16, BenchCommand.defaultRequests(4));
    assertEquals(64, BenchCommand.defaultRequests(16));
    assertEquals(256, BenchCommand.defaultRequests(64));
  }

  @Test
  void defaultWarmupIsTwoWavesOfTheHighestLevelButAtLeastSixtyFour() {
    assertEquals(64, BenchCommand.defaultWarmup(1));
    assertEquals(64, BenchCommand.defaultWarmup(16));
    assertEquals(128, BenchCommand.defaultWarmup(64));
  }

  @Test
  void warmupRunsAtTheHighestLevelButAtLeastSixteenAtOnce() {
    assertEquals(16, BenchCommand.warmupConcurrency(1, 64));
    assertEquals(64, BenchCommand.warmupConcurrency(64, 128));
    assertEquals(4, BenchCommand.warmupConcurrency(1, 4), "never more workers than requests");
    assertEquals(1, BenchCommand.warmupConcurrency(4, 0));
  }

  @Test
  void levelsAreComparedWithTheSingleStreamInTheRatiosTargetsUse() {
    dev.robin.bench.stats.Percentiles itl1 = new dev.robin.bench.stats.Percentiles(10, 20, 30, 50, 25, 10, 60);
    dev.robin.bench.stats.Percentiles itl16 = new dev.robin.bench.stats.Percentiles(10, 60, 90, 200, 70, 40, 250);
    dev.robin.bench.load.LevelSummary one = level(1, 40, itl1);
    dev.robin.bench.load.LevelSummary sixteen = level(16, 160, itl16);
    assertEquals("\nRelative to concurrency 1: 16: 4.0× output tokens/s, 4.0× ITL p99.\n",
        BenchCommand.relativeToSingleStream(java.util.List.of(one, sixteen)));
    assertEquals("", BenchCommand.relativeToSingleStream(java.util.List.of(sixteen)), "no single-stream level");
  }

  private static dev.robin.bench.load.LevelSummary level(
      int concurrency, double tokensPerSecond, dev.robin.bench.stats.Percentiles itl) {
    dev.robin.bench.stats.Percentiles none = dev.robin.bench.stats.Percentiles.EMPTY;
    return new dev.robin.bench.load.LevelSummary(concurrency, 8, 0, 512, 500, 127, 0, 10, tokensPerSecond, 1, none, itl,
        none, none, java.util.Map.of(), null);
  }
}
