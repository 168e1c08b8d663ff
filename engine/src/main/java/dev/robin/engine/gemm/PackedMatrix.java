package dev.robin.engine.gemm;

import jdk.incubator.foreign.MemoryAddress;

/**
 * A weight matrix {@code [rows, columns]} in MKL's packed layout, in native memory this object owns. Not
 * thread-safe to close while a multiply runs; the runner closes it with its weights, after the last step.
 */
public final class PackedMatrix implements AutoCloseable {

  /** Returns native memory the way it was allocated. */
  interface Release {
    void free(MemoryAddress address, long bytes);
  }

  private final int rows;
  private final int columns;
  private final long bytes;
  private final Release release;
  private MemoryAddress address; // null once closed

  PackedMatrix(int rows, int columns, MemoryAddress address, long bytes, Release release) {
    this.rows = rows;
    this.columns = columns;
    this.address = address;
    this.bytes = bytes;
    this.release = release;
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
    if (address == null) {
      throw new IllegalStateException("packed weight used after close");
    }
    return address;
  }

  public boolean isClosed() {
    return address == null;
  }

  @Override
  public void close() {
    if (address != null) {
      release.free(address, bytes);
      address = null;
    }
  }
}
