package dev.robin.engine.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/** Throwaway: CPU time per op for a few candidate kernels. */
public final class OpBench {
  static ThreadMXBean mx = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(Integer.parseInt(args[0]));
    try (NDManager m = NDManager.newBaseManager()) {
      if (args.length > 1 && args[1].equals("gather")) {
        PtNDArray table = (PtNDArray) m.randomNormal(new Shape(1664, 2048));
        for (int rows : new int[] {1152, 2304, 3456, 4608}) {
          long[] idx = new long[rows];
          for (int i = 0; i < rows; i++) {
            idx[i] = (i * 7L) % 1664;
          }
          PtNDArray ix = (PtNDArray) m.create(idx, new Shape(rows));
          time("embedding rows " + rows + " x 8KB", m, () -> JniUtils.embedding(ix, table, false));
          ai.djl.ndarray.index.NDIndex ndi = new ai.djl.ndarray.index.NDIndex("{}", ix);
          time("index dim0 rows " + rows + " x 8KB", m, () -> JniUtils.indexAdv(table, ndi, (ai.djl.pytorch.engine.PtNDManager) m));
          PtNDArray src = (PtNDArray) m.randomNormal(new Shape(rows, 2048));
          time("copy (mul by 1) rows " + rows + " x 8KB", m, () -> JniUtils.mul(src, src));
        }
        return;
      }
      for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
        PtNDArray[] ws = new PtNDArray[40];
        for (int i = 0; i < ws.length; i++) {
          ws[i] = (PtNDArray) m.randomNormal(new Shape(1536, 513)).toType(dt, false);
        }
        for (int rows : new int[] {1, 4, 16, 64}) {
          PtNDArray x = (PtNDArray) m.randomNormal(new Shape(rows, 513)).toType(dt, false);
          int[] k = {0};
          time(dt + " cold linear rows " + rows + " [1536, 513] x40", m,
              () -> JniUtils.linear(x, ws[k[0]++ % ws.length], null));
        }
      }
      if (args.length > 1) return;
      for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
        for (int in : new int[] {512, 513, 768, 769}) {
          int out = 3 * in;
          PtNDArray w = (PtNDArray) m.randomNormal(new Shape(out, in)).toType(dt, false);
          PtNDArray wt = (PtNDArray) w.transpose().duplicate();
          for (int rows : new int[] {1, 16, 64}) {
            PtNDArray x = (PtNDArray) m.randomNormal(new Shape(rows, in)).toType(dt, false);
            time(dt + " linear  rows " + rows + " in " + in + " out " + out, m, () -> JniUtils.linear(x, w, null));
            time(dt + " matmulT rows " + rows + " in " + in + " out " + out, m, () -> JniUtils.matmul(x, wt));
          }
        }
      }
      PtNDArray a = (PtNDArray) m.randomNormal(new Shape(1, 513));
      time("tiny add", m, () -> JniUtils.add(a, a));
      time("tiny normalize", m, () -> JniUtils.normalize(a, 2, -1, 1e-12));
    }
  }

  static void time(String name, NDManager m, Supplier<PtNDArray> op) {
    for (int i = 0; i < 20; i++) {
      try (NDManager s = m.newSubManager()) {
        PtNDArray r = op.get();
        r.attach(s);
      }
    }
    int n = 200;
    long c0 = mx.getCurrentThreadCpuTime();
    long w0 = System.nanoTime();
    NDManager s = m.newSubManager();
    for (int i = 0; i < n; i++) {
      PtNDArray r = op.get();
      r.attach(s);
      if (i % 20 == 19) {
        s.close();
        s = m.newSubManager();
      }
    }
    s.close();
    double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / n;
    double wall = (System.nanoTime() - w0) / 1e3 / n;
    System.out.printf("%-50s cpu %8.1f us  wall %8.1f us%n", name, cpu, wall);
  }
}
