package dev.robin.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.synthetic.SyntheticPreset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code robin make-model}: writes a loadable model, refuses to clobber a directory without --force. */
class MakeModelCommandTest {

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = RobinCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void writesALoadableModelAndReportsIt() {
    Path dir = tmp.resolve("tiny");
    assertEquals(0, run("make-model", "--preset", "tiny", "--out", dir.toString()), err.toString());
    assertEquals(SyntheticPreset.TINY.config(), Checkpoint.open(dir).config());
    String report = out.toString();
    assertTrue(report.contains("model.safetensors"), report);
    assertTrue(report.contains("tokenizer.json"), report);
    assertTrue(report.contains(String.format("Parameters: %,d", SyntheticPreset.TINY.numParameters())), report);
  }

  @Test
  void refusesANonEmptyDirectoryUnlessForced() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");
    assertEquals(1, run("make-model", "--preset", "tiny", "--out", dir.toString()));
    assertTrue(err.toString().contains("is not empty; use --force"), err.toString());
    assertTrue(Files.notExists(dir.resolve("config.json")), "nothing written without --force");

    assertEquals(0, run("make-model", "--preset", "tiny", "--out", dir.toString(), "--force"), err.toString());
    Checkpoint.open(dir);
    assertEquals("keep me", Files.readString(dir.resolve("notes.txt")));
  }

  @Test
  void writesBfloat16WeightsWhenAsked() {
    Path dir = tmp.resolve("bf16");
    assertEquals(0, run("make-model", "--preset", "tiny", "--out", dir.toString(), "--dtype", "bfloat16"),
        err.toString());
    Checkpoint ckpt = Checkpoint.open(dir);
    assertEquals("bfloat16", ckpt.config().torchDtype());
    assertEquals("BF16", ckpt.entry("model.embed_tokens.weight").dtype());
    assertEquals(2, run("make-model", "--preset", "tiny", "--out", tmp.resolve("y").toString(), "--dtype", "int8"));
    assertTrue(err.toString().contains("unknown --dtype int8"), err.toString());
  }

  @Test
  void unknownPresetListsThePresets() {
    assertEquals(2, run("make-model", "--preset", "huge", "--out", tmp.resolve("x").toString()));
    assertTrue(err.toString().contains("tiny, llama-25m, llama-75m"), err.toString());
  }

  @Test
  void missingOptionsAreAUsageError() {
    assertEquals(2, run("make-model", "--preset", "tiny"));
    assertTrue(err.toString().contains("--out"), err.toString());
  }
}
