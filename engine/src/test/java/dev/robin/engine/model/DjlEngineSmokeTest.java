package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The PyTorch engine loads from the CPU native jar, with no download. */
class DjlEngineSmokeTest {

  @Test
  void pytorchEngineLoadsOfflineAndComputes() {
    assertEquals("PyTorch", Engine.getInstance().getEngineName());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3, 4}).reshape(2, 2);
      assertArrayEquals(new float[] {7, 10, 15, 22}, a.matMul(a).toFloatArray());
    }
  }
}
