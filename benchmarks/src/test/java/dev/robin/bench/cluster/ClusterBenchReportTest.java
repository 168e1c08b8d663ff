package dev.robin.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.bench.cluster.ClusterBenchReport.Run;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.stats.Percentiles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ratio of each round and their median. */
class ClusterBenchReportTest {

  static Run run(int round, String variant, double tokensPerSecond) {
    Percentiles none = Percentiles.EMPTY;
    LevelSummary level = new LevelSummary(
        16, 48, 0, 3072, 3072, 127, 0, 30, tokensPerSecond, 1, none, none, none, none, Map.of(), null);
    return new Run(round, variant, 0.1, 30, level, List.of(), null, List.of(), 0, null);
  }

  @Test
  void eachRoundComparesItsOwnTwoRuns() {
    List<Run> runs = List.of(
        run(1, "one", 100), run(1, "two", 150), run(2, "one", 80), run(2, "two", 160), run(3, "one", 90));
    assertEquals(List.of(1.5, 2.0), ClusterBenchReport.ratios(runs, "one", "two"), "round 3 is incomplete");
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertEquals(1.75, ClusterBenchReport.median(List.of(2.0, 1.5)));
    assertEquals(1.6, ClusterBenchReport.median(List.of(1.9, 1.2, 1.6)));
    assertEquals(1.5, ClusterBenchReport.median(List.of(1.5)));
    assertTrue(Double.isNaN(ClusterBenchReport.median(List.of())));
  }
}
