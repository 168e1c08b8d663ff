package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout check finds every missing or mis-shaped tensor from the headers alone. */
class LlamaTensorLayoutTest {

  @TempDir Path tmp;

  @Test
  void realCheckpointMatchesItsLayout() {
    Checkpoint ckpt = Checkpoint.open(TestModels.stories260k());
    LlamaTensorLayout.verify(ckpt);
    assertEquals(ckpt.tensorNames().size(), LlamaTensorLayout.of(ckpt.config()).size());
    assertEquals(ckpt.tensorNames().stream().mapToLong(n -> ckpt.entry(n).numElements()).sum(),
        LlamaTensorLayout.numParameters(ckpt.config()));
  }

  @Test
  void listsEveryMissingAndMisShapedTensor() throws IOException {
    Path real = TestModels.stories260k();
    Checkpoint original = Checkpoint.open(real);
    Path dir = Files.createDirectories(tmp.resolve("broken"));
    Files.copy(real.resolve("config.json"), dir.resolve("config.json"));
    SafetensorsWriter w = new SafetensorsWriter();
    for (String name : new TreeSet<>(original.tensorNames())) {
      if (name.equals("model.norm.weight")) {
        continue;
      }
      if (name.equals("model.layers.2.mlp.down_proj.weight")) {
        w.add(name, SafetensorsDtype.F32, new long[] {172, 64}, new float[172 * 64]);
        continue;
      }
      w.add(original.tensor(name, original.entry(name).shape()));
    }
    w.write(dir.resolve("model.safetensors"));
    Checkpoint broken = Checkpoint.open(dir);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> LlamaTensorLayout.verify(broken));
    assertTrue(e.getMessage().contains("2 tensor problem(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("missing model.norm.weight [64]"), e.getMessage());
    assertTrue(e.getMessage().contains(
        "model.layers.2.mlp.down_proj.weight has shape [172, 64], the config implies [64, 172]"), e.getMessage());
  }
}
