package dev.robin.engine.synthetic;

import java.util.SplittableRandom;

/**
 * Deterministic normal weights: each tensor gets its own {@link SplittableRandom} seeded from the preset's
 * seed and the tensor's name, so tensors can be generated in any order (or in parallel) and come out the
 * same in every run and on every JVM. Uses the Marsaglia polar method with {@link StrictMath#log}, whose
 * results the Java specification fixes bit for bit.
 */
public final class SyntheticWeights {

  private SyntheticWeights() {}

  /** Fills {@code out} with normal(0, std) values for tensor {@code name} of a model seeded {@code seed}. */
  public static void fillNormal(long seed, String name, float std, float[] out) {
    SplittableRandom rnd = new SplittableRandom(tensorSeed(seed, name));
    int i = 0;
    while (i < out.length) {
      double u;
      double v;
      double s;
      do {
        u = 2.0 * rnd.nextDouble() - 1.0;
        v = 2.0 * rnd.nextDouble() - 1.0;
        s = u * u + v * v;
      } while (s >= 1.0 || s == 0.0);
      double scale = Math.sqrt(-2.0 * StrictMath.log(s) / s) * std;
      out[i++] = (float) (u * scale);
      if (i < out.length) {
        out[i++] = (float) (v * scale);
      }
    }
  }

  /** Mixes the model seed with the name's hash (which the Java specification fixes) through SplitMix64. */
  static long tensorSeed(long seed, String name) {
    long z = seed + 0x9E3779B97F4A7C15L * (name.hashCode() + 0x1_0000_0000L + name.length());
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
