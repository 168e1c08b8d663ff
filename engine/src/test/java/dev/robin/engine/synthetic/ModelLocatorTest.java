package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.config.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model specs resolve to ready directories; synthetic models are written once, atomically, then reused. */
class ModelLocatorTest {

  @TempDir Path root;

  @Test
  void syntheticModelIsWrittenOnceThenReused() throws IOException {
    Path dir = ModelLocator.resolve("synthetic:tiny", root);
    assertEquals(root.resolve("tiny-v" + ModelLocator.SYNTHETIC_FORMAT_VERSION), dir);
    Checkpoint ckpt = Checkpoint.open(dir);
    assertEquals(SyntheticPreset.TINY.config(), ckpt.config());
    Path weights = dir.resolve("model.safetensors");
    FileTime old = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(weights, old);

    assertEquals(dir, ModelLocator.resolve("synthetic:tiny", root));
    assertEquals(old, Files.getLastModifiedTime(weights), "the cached model is not written again");
    assertEquals(List.of("tiny-v" + ModelLocator.SYNTHETIC_FORMAT_VERSION), listNames(root), "no temporary directory is left behind");
  }

  @Test
  void concurrentResolversGetOneCompleteModel() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Path> resolve = () -> ModelLocator.resolve("synthetic:tiny", root);
      Future<Path> a = pool.submit(resolve);
      Future<Path> b = pool.submit(resolve);
      assertEquals(a.get(), b.get());
      Checkpoint.open(a.get());
      assertEquals(List.of("tiny-v" + ModelLocator.SYNTHETIC_FORMAT_VERSION), listNames(root));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void leftoverTemporaryDirectoryOfACrashedWriterIsIgnored() throws IOException {
    Path leftover = Files.createDirectories(root.resolve(".tiny-v" + ModelLocator.SYNTHETIC_FORMAT_VERSION + ".tmp-12345"));
    Files.writeString(leftover.resolve("config.json"), "{");
    Path dir = ModelLocator.resolve("synthetic:tiny", root);
    assertEquals(SyntheticPreset.TINY.config(), Checkpoint.open(dir).config());
  }

  @Test
  void unknownPresetListsThePresets() {
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> ModelLocator.resolve("synthetic:huge", root));
    assertTrue(e.getMessage().contains("unknown synthetic model preset \"huge\""), e.getMessage());
    assertTrue(e.getMessage().contains("tiny, llama-25m, llama-75m"), e.getMessage());
  }

  @Test
  void directorySpecResolvesToItself() throws IOException {
    Path model = Files.createDirectories(root.resolve("some-model"));
    assertEquals(model, ModelLocator.resolve(model.toString(), root));
  }

  @Test
  void missingDirectoryIsNamedWithTheAlternatives() {
    Path missing = root.resolve("no-such-model");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelLocator.resolve(missing.toString()));
    assertTrue(e.getMessage().contains("model directory " + missing + " does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("synthetic:PRESET"), e.getMessage());
    assertThrows(ModelLoadException.class, () -> ModelLocator.resolve("  "));
  }

  @Test
  void defaultRootIsTheUserCacheUnlessTheEnvironmentSaysOtherwise() {
    Path expected = System.getenv(ModelLocator.SYNTHETIC_DIR_ENV) != null
        ? Path.of(System.getenv(ModelLocator.SYNTHETIC_DIR_ENV))
        : Path.of(System.getProperty("user.home"), ".cache", "robin", "synthetic");
    assertEquals(expected, ModelLocator.defaultSyntheticRoot());
  }

  private static List<String> listNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
