package dev.robin.bench.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.synthetic.ModelLocator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matmul floor runs every projection of a real model's shapes at any batch, in both dtypes and kernels. */
class MatmulFloorTest {

  @Test
  void timesEveryProjectionOfTheModelsShapes(@TempDir Path dir) {
    ModelConfig config = ModelLocator.open("synthetic:tiny", dir).config();
    for (String dtype : new String[] {"float32", "float16"}) {
      for (boolean packed : new boolean[] {true, false}) {
        try (MatmulFloor floor = new MatmulFloor(config, dtype, packed)) {
          for (int batch : new int[] {1, 3, 16}) {
            double ms = floor.msPerStep(batch, 1, 2);
            assertTrue(ms > 0 && Double.isFinite(ms), dtype + " packed " + packed + " batch " + batch + ": " + ms);
          }
        }
      }
    }
  }
}
