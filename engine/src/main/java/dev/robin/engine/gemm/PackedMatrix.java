package dev.robin.engine.gemm;

import jdk.incubator.foreign.CLinker;
import jdk.incubator.foreign.MemoryAddress;

/**
 * A weight matrix {@code [rows, columns]} in MKL's packed layout, in native memory this object owns. Not
 * thread-safe to close while a multiply runs; the runner closes it with its weights, after the last step.
 */
public final class PackedMatrix implements AutoCloseable {

  private final int rows;
  private final int columns;
  private final MemoryAddress aligned;
  private MemoryAddress allocation;

  PackedMatrix(int rows, int columns, MemoryAddress allocation, MemoryAddress aligned) {
    this.rows = rows;
    this.columns = columns;
    this.allocation = allocation;
    this.aligned = aligned;
  }

  /** Output features: the {@code n} of {@code x · Wᵀ}. */
  public int rows() {
    return rows;
  }

  /** Input features: the {@code k} of {@code x · Wᵀ}. */
  public int columns() {
    return columns;
  }

  MemoryAddress address() {
    if (allocation == null) {
      throw new IllegalStateException("packed weight used after close");
    }
    return aligned;
  }

  public boolean isClosed() {
    return allocation == null;
  }

  @Override
  public void close() {
    if (allocation != null) {
      CLinker.freeMemory(allocation);
      allocation = null;
    }
  }
}
