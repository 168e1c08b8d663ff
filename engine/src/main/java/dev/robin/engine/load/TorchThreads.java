package dev.robin.engine.load;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread count for this process. Its OpenMP workers spin while waiting for work, so on a
 * small machine where the HTTP server and the model share cores, fewer threads than cores can be faster.
 */
public final class TorchThreads {

  private TorchThreads() {}

  /** Sets the intra-op thread count; 0 leaves PyTorch's default (one per core). */
  public static void configure(int intraOpThreads) {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("thread count must not be negative, got " + intraOpThreads);
    }
    if (intraOpThreads > 0) {
      Engine.getEngine("PyTorch");
      JniUtils.setNumThreads(intraOpThreads);
    }
  }
}
