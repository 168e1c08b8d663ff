package dev.robin.app.cli;

import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.checkpoint.SafetensorsDtype;
import dev.robin.engine.synthetic.SyntheticModelWriter;
import dev.robin.engine.synthetic.SyntheticPreset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin make-model --preset P --out DIR}: writes a synthetic Llama (random weights, Robin's own
 * tokenizer) as a standard Hugging Face model directory, for Robin or any other server to load.
 */
@Command(
    name = "make-model",
    mixinStandardHelpOptions = true,
    description = {
        "Writes a synthetic Llama model (deterministic random weights, so its text is noise) as a Hugging Face "
            + "model directory: config.json, model.safetensors, tokenizer files.",
        "Other servers (transformers, vLLM) can load it too; the same preset always gives the same bytes."})
public final class MakeModelCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--preset", required = true, paramLabel = "PRESET",
      description = "Model shape: tiny (~3M parameters), llama-25m, llama-75m.")
  String preset;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write; created if absent, must be empty unless --force.")
  Path out;

  @Option(names = "--dtype", defaultValue = "float32", paramLabel = "DTYPE",
      description = "Weight storage: float32, float16 or bfloat16 (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--force", description = "Write into a non-empty directory, replacing files of the same names.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    SyntheticPreset p;
    try {
      p = SyntheticPreset.fromName(preset);
    } catch (ModelLoadException e) {
      err.println("robin make-model: " + e.getMessage());
      return 2;
    }
    SafetensorsDtype storage = switch (dtype) {
      case "float32" -> SafetensorsDtype.F32;
      case "float16" -> SafetensorsDtype.F16;
      case "bfloat16" -> SafetensorsDtype.BF16;
      default -> null;
    };
    if (storage == null) {
      err.println("robin make-model: unknown --dtype " + dtype + " (float32, float16, bfloat16)");
      return 2;
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      err.println("robin make-model: " + out + " exists and is not a directory");
      return 1;
    }
    if (!force && isNonEmptyDirectory(out)) {
      err.println("robin make-model: " + out + " is not empty; use --force to write into it anyway");
      return 1;
    }
    long t0 = System.nanoTime();
    SyntheticModelWriter.WrittenModel model;
    try {
      model = SyntheticModelWriter.write(p, out, storage);
    } catch (ModelLoadException e) {
      err.println("robin make-model: " + e.getMessage());
      return 1;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "Wrote synthetic model %s (%s) to %s in %.1f s:%n", p.id(), dtype, model.directory(),
        seconds);
    for (Path f : model.files()) {
      o.printf(Locale.ROOT, "  %-26s %,14d bytes%n", f.getFileName(), sizeOf(f));
    }
    o.printf(Locale.ROOT, "Parameters: %,d (%s)%n", model.numParameters(),
        p.config().tieWordEmbeddings() ? "tied embeddings" : "separate lm_head");
    o.flush();
    return 0;
  }

  private static boolean isNonEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return -1;
    }
  }
}
