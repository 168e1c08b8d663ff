package dev.robin.engine.checkpoint;

/**
 * IEEE 754 half-precision and bfloat16 conversions (Java 17 has no {@code Float.float16ToFloat}). Widening is
 * exact; narrowing rounds to nearest, ties to even, as PyTorch's {@code .half()} and {@code .bfloat16()} do.
 */
public final class Float16 {

  private Float16() {}

  /** Widens a half-precision value exactly. */
  public static float toFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal: value = mant * 2^-24.
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Narrows a float to half precision, rounding to nearest even. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int halfMant = mant >> shift;
      int rest = mant & ((1 << shift) - 1);
      int halfway = 1 << (shift - 1);
      if (rest > halfway || (rest == halfway && (halfMant & 1) != 0)) {
        halfMant++;
      }
      return (short) (sign | halfMant);
    }
    int halfMant = mant >> 13;
    int rest = mant & 0x1FFF;
    int out = sign | (e << 10) | halfMant;
    if (rest > 0x1000 || (rest == 0x1000 && (halfMant & 1) != 0)) {
      out++;
    }
    return (short) out;
  }

  /** Widens a bfloat16 exactly: it is the upper half of a float32. */
  public static float bfloat16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
  }

  /** Narrows a float to bfloat16, rounding to nearest even; NaN stays a (quiet) NaN. */
  public static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x7FFFFF) != 0) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }
}
