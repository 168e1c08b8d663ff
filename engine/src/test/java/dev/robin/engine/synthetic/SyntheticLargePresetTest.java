package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.LlamaTensorLayout;
import dev.robin.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** llama-75m (300 MB) is written in seconds, loads through Checkpoint.open, and is reproducible. */
@Tag("slow")
class SyntheticLargePresetTest {

  @TempDir Path tmp;

  @Test
  void llama75mWritesFastLoadsAndIsReproducible() throws IOException {
    long t0 = System.nanoTime();
    SyntheticModelWriter.WrittenModel first = SyntheticModelWriter.write(SyntheticPreset.LLAMA_75M, tmp.resolve("a"));
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("llama-75m: %d parameters, %d bytes written in %.2f s%n",
        first.numParameters(), first.numBytes(), seconds);
    assertTrue(seconds < 60, "writing llama-75m took " + seconds + " s");

    Checkpoint ckpt = Checkpoint.open(first.directory());
    ModelConfig c = ckpt.config();
    assertEquals(SyntheticPreset.LLAMA_75M.config(), c);
    assertTrue(ckpt.has("lm_head.weight"));
    for (LlamaTensorLayout.TensorSpec t : LlamaTensorLayout.of(c)) {
      assertEquals(t.shape().length, ckpt.entry(t.name()).shape().length, t.name());
    }
    ckpt.tensor("lm_head.weight", 512, 768);
    ckpt.tensor("model.layers.11.self_attn.k_proj.weight", 256, 768);

    SyntheticModelWriter.WrittenModel second = SyntheticModelWriter.write(SyntheticPreset.LLAMA_75M, tmp.resolve("b"));
    assertEquals(-1L, Files.mismatch(first.directory().resolve("model.safetensors"),
        second.directory().resolve("model.safetensors")));
  }
}
