package dev.robin.engine.checkpoint;

/**
 * The element types the safetensors format defines, with their byte widths. Robin reads only the float
 * types ({@link #isReadable()}); the others are recognised so that a file holding, say, an I8 tensor gets a
 * message naming that dtype rather than a parse error.
 */
public enum SafetensorsDtype {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E5M2(1),
  F8_E4M3(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  F64(8),
  I64(8),
  U64(8);

  private final int numBytes;

  SafetensorsDtype(int numBytes) {
    this.numBytes = numBytes;
  }

  /** Bytes per element. */
  public int numBytes() {
    return numBytes;
  }

  /** Whether Robin widens this dtype to float32 (F32, F16, BF16). */
  public boolean isReadable() {
    return this == F32 || this == F16 || this == BF16;
  }

  /** The dtype spelled {@code name} in a header, or null when the format does not define it. */
  public static SafetensorsDtype fromHeader(String name) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The dtypes Robin reads, for error messages. */
  public static String readableNames() {
    return "F32, F16, BF16";
  }
}
