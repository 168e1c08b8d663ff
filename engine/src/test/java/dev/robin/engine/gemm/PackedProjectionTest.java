package dev.robin.engine.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MKL's packed GEMM against PyTorch's linear on the same weights: any row count (including the ones it was
 * not packed for, and none), odd shapes, bias and residual; packed memory freed on close. The build passes the
 * JVM flags the foreign linker needs, so here the packed kernel must be chosen: a missing flag fails loudly.
 */
class PackedProjectionTest {

  private static NDManager manager;
  private static ProjectionFactory packed;

  @BeforeAll
  static void load() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    packed = ProjectionFactory.choose(Device.cpu(), DataType.FLOAT32, true);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void float32OnTheCpuIsPackedHere() {
    assertTrue(packed.packs(), "expected MKL's packed GEMM in the test JVM, got " + packed.description());
    assertEquals("MKL packed SGEMM", packed.description());
  }

  @Test
  void otherDtypesDevicesAndTheSwitchFallBackToTorchAndSayWhy() {
    ProjectionFactory half = ProjectionFactory.choose(Device.cpu(), DataType.FLOAT16, true);
    assertTrue(!half.packs() && half.description().contains("float32-only"), half.description());
    ProjectionFactory gpu = ProjectionFactory.choose(Device.gpu(), DataType.FLOAT32, true);
    assertTrue(!gpu.packs() && gpu.description().contains("CPU-only"), gpu.description());
    ProjectionFactory off = ProjectionFactory.choose(Device.cpu(), DataType.FLOAT32, false);
    assertTrue(!off.packs() && off.description().contains("turned off"), off.description());
    try (NDManager scope = manager.newSubManager()) {
      PtNDArray w = random(scope, 3, 4);
      assertInstanceOf(TorchProjection.class, half.create(w, null));
    }
  }

  @Test
  void matchesTorchLinearForEveryRowCountAndShape() {
    int[][] shapes = {{5, 3}, {64, 769}, {769, 64}, {1280, 769}};
    for (int[] s : shapes) {
      try (NDManager scope = manager.newSubManager()) {
        PtNDArray w = random(scope, s[0], s[1]);
        PtNDArray bias = random(scope, s[0]);
        try (Projection p = packed.create(w, bias)) {
          Projection reference = new TorchProjection(w, bias);
          for (int rows : new int[] {1, 2, 3, 16, 127, 128, 130}) {
            PtNDArray x = random(scope, rows, s[1]);
            PtNDArray residual = random(scope, rows, s[0]);
            assertClose(reference.apply(x, scope), p.apply(x, scope), s, rows);
            assertClose(reference.applyAdd(x, residual, scope), p.applyAdd(x, residual, scope), s, rows);
          }
          assertEquals(s[0], p.outFeatures());
        }
      }
    }
  }

  @Test
  void readsNonContiguousInputsAndLeavesTheResidualAlone() {
    try (NDManager scope = manager.newSubManager()) {
      PtNDArray w = random(scope, 8, 6);
      try (Projection p = packed.create(w, null)) {
        PtNDArray x = JniUtils.slice(random(scope, 4, 12), 1, 0, 6, 1); // rows strided by 12
        PtNDArray residual = random(scope, 4, 8);
        float[] before = residual.toFloatArray();
        PtNDArray out = p.applyAdd(x, residual, scope);
        assertClose(new TorchProjection(w, null).applyAdd(x, residual, scope), out, new int[] {8, 6}, 4);
        assertArrayEquals(before, residual.toFloatArray());
      }
    }
  }

  @Test
  void noRowsGiveAnEmptyResult() {
    try (NDManager scope = manager.newSubManager(); Projection p = packed.create(random(scope, 7, 5), null)) {
      PtNDArray out = p.apply((PtNDArray) scope.zeros(new Shape(0, 5)), scope);
      assertEquals(new Shape(0, 7), out.getShape());
    }
  }

  @Test
  void closeFreesThePackedCopyAndLaterUseFails() {
    try (NDManager scope = manager.newSubManager()) {
      PtNDArray w = random(scope, 16, 16);
      PackedProjection p = (PackedProjection) packed.create(w, null);
      w.close(); // the packed copy does not need the array
      PtNDArray x = random(scope, 2, 16);
      assertEquals(new Shape(2, 16), p.apply(x, scope).getShape());
      p.close();
      assertTrue(p.isClosed());
      p.close(); // idempotent
      assertThrows(IllegalStateException.class, () -> p.apply(x, scope));
    }
  }

  @Test
  void rejectsWhatItCannotPack() {
    try (NDManager scope = manager.newSubManager()) {
      PtNDArray half = (PtNDArray) random(scope, 4, 4).toType(DataType.FLOAT16, false);
      assertThrows(IllegalArgumentException.class, () -> packed.create(half, null));
      PtNDArray cube = (PtNDArray) scope.ones(new Shape(2, 2, 2));
      assertThrows(IllegalArgumentException.class, () -> packed.create(cube, null));
      try (Projection p = packed.create(random(scope, 4, 4), null)) {
        assertThrows(IllegalArgumentException.class, () -> p.apply(random(scope, 3, 5), scope));
      }
    }
  }

  private static void assertClose(PtNDArray expected, PtNDArray actual, int[] shape, int rows) {
    assertEquals(expected.getShape(), actual.getShape());
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-4 * (1 + Math.abs(e[i])),
          "[" + shape[0] + "x" + shape[1] + "] at " + rows + " rows, element " + i);
    }
  }

  private static PtNDArray random(NDManager scope, long... shape) {
    return (PtNDArray) scope.randomUniform(-1, 1, new Shape(shape));
  }
}
