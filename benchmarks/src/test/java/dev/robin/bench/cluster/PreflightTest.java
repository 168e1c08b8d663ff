package dev.robin.bench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine checks: taskset on the PATH, two allowed cores, two distinct CPUs. */
class PreflightTest {

  @Test
  void tasksetIsFoundOnThePath(@TempDir Path dir) throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path taskset = Files.createFile(bin.resolve("taskset"));
    assertTrue(taskset.toFile().setExecutable(true));
    assertEquals(taskset, Preflight.taskset(dir.resolve("empty") + File.pathSeparator + bin));
  }

  @Test
  void aMissingTasksetFailsWithWhatToInstall(@TempDir Path dir) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Preflight.taskset(dir.toString()));
    assertTrue(e.getMessage().startsWith("taskset is not on the PATH"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> Preflight.taskset(null));
  }

  @Test
  void oneCoreIsRefused() {
    IllegalStateException e = assertThrows(
        IllegalStateException.class, () -> Preflight.requireCores(List.of(0, 1), new TreeSet<>(List.of(0))));
    assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
  }

  @Test
  void theCpusMustBeTwoDifferentAllowedOnes() {
    TreeSet<Integer> allowed = new TreeSet<>(List.of(0, 1));
    Preflight.requireCores(List.of(1, 0), allowed);
    assertThrows(IllegalStateException.class, () -> Preflight.requireCores(List.of(0, 0), allowed));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Preflight.requireCores(List.of(0, 2), allowed));
    assertTrue(e.getMessage().contains("CPU 2"), e.getMessage());
  }

  @Test
  void cpuListsHaveRangesAndSingles() {
    assertEquals(new TreeSet<>(List.of(0, 1, 2, 3, 6, 8, 9)), Preflight.parseCpuList(" 0-3,6,8-9\n"));
    assertEquals(new TreeSet<>(List.of(0)), Preflight.parseCpuList("0"));
  }
}
