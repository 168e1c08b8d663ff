package dev.robin.engine.synthetic;

import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.config.ModelLoadException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Turns a model spec into a ready Hugging Face model directory. A spec is either a directory path or
 * {@code synthetic:PRESET} (see {@link SyntheticPreset}); a synthetic model is written once into a cache
 * directory and reused after. Writing goes to a temporary sibling directory that is then renamed, so a
 * reader never sees a half-written model, even when two processes race.
 *
 * <p>The cache root is, in order: the {@code syntheticRoot} argument, the environment variable
 * {@value #SYNTHETIC_DIR_ENV}, {@code ${user.home}/.cache/robin/synthetic}. Each model lives in
 * {@code <root>/<preset>-v}{@value #SYNTHETIC_FORMAT_VERSION}; the version changes whenever the generator's
 * output does, so an old cache is never mistaken for the current model.
 */
public final class ModelLocator {

  public static final String SYNTHETIC_PREFIX = "synthetic:";
  public static final String SYNTHETIC_DIR_ENV = "ROBIN_SYNTHETIC_DIR";
  public static final int SYNTHETIC_FORMAT_VERSION = 2;

  private ModelLocator() {}

  /** Whether {@code spec} names a synthetic model. */
  public static boolean isSynthetic(String spec) {
    return spec.startsWith(SYNTHETIC_PREFIX);
  }

  /** Resolves {@code spec} with the default cache root for synthetic models. */
  public static Path resolve(String spec) {
    return resolve(spec, null);
  }

  /**
   * Resolves {@code spec} to a model directory, writing a synthetic model into {@code syntheticRoot} (or
   * the default root when null) if it is not there yet. Fails with {@link ModelLoadException} on an unknown
   * preset (listing the presets) or a directory that does not exist.
   */
  public static Path resolve(String spec, Path syntheticRoot) {
    if (spec == null || spec.isBlank()) {
      throw new ModelLoadException("empty model spec (give a model directory or " + SYNTHETIC_PREFIX + "PRESET, "
          + "PRESET one of " + SyntheticPreset.names() + ")");
    }
    if (isSynthetic(spec)) {
      SyntheticPreset preset = SyntheticPreset.fromName(spec.substring(SYNTHETIC_PREFIX.length()));
      return ensureSynthetic(preset, syntheticRoot == null ? defaultSyntheticRoot() : syntheticRoot);
    }
    Path dir;
    try {
      dir = Path.of(spec);
    } catch (InvalidPathException e) {
      throw new ModelLoadException("model spec \"" + spec + "\" is not a valid path", e);
    }
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException("model directory " + dir + " does not exist (give a Hugging Face model "
          + "directory or " + SYNTHETIC_PREFIX + "PRESET, PRESET one of " + SyntheticPreset.names() + ")");
    }
    return dir;
  }

  /** Resolves {@code spec} and opens it as a checkpoint. */
  public static Checkpoint open(String spec, Path syntheticRoot) {
    return Checkpoint.open(resolve(spec, syntheticRoot));
  }

  /** {@code $ROBIN_SYNTHETIC_DIR}, else {@code ${user.home}/.cache/robin/synthetic}. */
  public static Path defaultSyntheticRoot() {
    String env = System.getenv(SYNTHETIC_DIR_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "robin", "synthetic");
  }

  /** Where {@code preset} lives under {@code root}. */
  public static Path syntheticDirectory(SyntheticPreset preset, Path root) {
    return root.resolve(preset.id() + "-v" + SYNTHETIC_FORMAT_VERSION);
  }

  private static Path ensureSynthetic(SyntheticPreset preset, Path root) {
    Path target = syntheticDirectory(preset, root);
    if (Files.isDirectory(target)) {
      return target;
    }
    // One writer per JVM at a time; other processes are handled by the atomic rename below.
    synchronized (ModelLocator.class) {
      if (Files.isDirectory(target)) {
        return target;
      }
      Path tmp;
      try {
        Files.createDirectories(root);
        tmp = Files.createTempDirectory(root, "." + target.getFileName() + ".tmp-");
      } catch (IOException e) {
        throw new ModelLoadException(
            "cannot create the synthetic model cache " + root + ": " + e.getMessage() + " (set "
                + SYNTHETIC_DIR_ENV + " to a writable directory)", e);
      }
      try {
        SyntheticModelWriter.write(preset, tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // Another process finished first; its model is identical.
      } catch (AtomicMoveNotSupportedException e) {
        throw new ModelLoadException("cannot rename " + tmp + " to " + target + " atomically", e);
      } catch (IOException e) {
        if (!Files.isDirectory(target)) {
          throw new ModelLoadException("cannot move synthetic model into " + target + ": " + e.getMessage(), e);
        }
      } finally {
        deleteRecursively(tmp);
      }
      return target;
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless; it is hidden and never read.
    }
  }
}
