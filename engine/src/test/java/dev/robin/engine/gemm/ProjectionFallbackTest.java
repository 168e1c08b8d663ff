package dev.robin.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without the foreign linker's flags still serves: the factory falls back to PyTorch's linear
 * and says which flag is missing (the startup log warns with that text). Each case is a child JVM.
 */
@Tag("slow")
class ProjectionFallbackTest {

  @Test
  void withoutTheIncubatorModuleItFallsBackAndNamesTheFlag() throws Exception {
    String line = probe(List.of());
    assertTrue(line.startsWith("packs=false degraded=true "), line);
    assertTrue(line.contains("--add-modules jdk.incubator.foreign"), line);
  }

  @Test
  void withoutNativeAccessItFallsBackAndNamesTheFlag() throws Exception {
    String line = probe(List.of("--add-modules", "jdk.incubator.foreign"));
    assertTrue(line.startsWith("packs=false degraded=true "), line);
    assertTrue(line.contains("--enable-native-access=ALL-UNNAMED"), line);
  }

  @Test
  void withBothFlagsItPacks() throws Exception {
    String line = probe(List.of("--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED"));
    assertEquals("packs=true degraded=false kernel=MKL packed SGEMM", line);
  }

  private static String probe(List<String> flags) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.add("-Dai.djl.pytorch.num_threads=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(FallbackProbe.class.getName());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not exit");
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), out);
    return out.lines().filter(l -> l.startsWith("packs=")).findFirst()
        .orElseThrow(() -> new AssertionError("no probe line in: " + out));
  }
}
