package dev.robin.engine.model;

import dev.robin.engine.config.ModelConfig;

/**
 * Rotary position embedding tables, precomputed on the host for every position below
 * {@code max_position_embeddings}, in Hugging Face's rotate-half convention: within a head of {@code headDim},
 * element {@code j < headDim/2} pairs with {@code j + headDim/2}, both rotated by angle {@code pos * invFreq[j]}.
 *
 * <p>Frequencies follow transformers' default, {@code linear} and {@code llama3} rope parameter functions.
 * Angles are computed in double and rounded once, so the tables are as exact as float32 allows.
 */
public final class RopeTables {

  private final int maxPositions;
  private final int halfDim;
  private final double[] invFreq; // [headDim/2]
  private final float[] cos; // [maxPositions, headDim/2]
  private final float[] sin; // [maxPositions, headDim/2]

  private RopeTables(int maxPositions, double[] invFreq) {
    this.maxPositions = maxPositions;
    this.halfDim = invFreq.length;
    this.invFreq = invFreq;
    this.cos = new float[maxPositions * halfDim];
    this.sin = new float[maxPositions * halfDim];
    for (int p = 0; p < maxPositions; p++) {
      for (int i = 0; i < halfDim; i++) {
        double angle = p * invFreq[i];
        cos[p * halfDim + i] = (float) Math.cos(angle);
        sin[p * halfDim + i] = (float) Math.sin(angle);
      }
    }
  }

  /** Tables for a model's head dimension, rope theta and rope scaling. */
  public static RopeTables of(ModelConfig config) {
    return new RopeTables(
        config.maxPositionEmbeddings(), inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling()));
  }

  /** Per-pair inverse frequencies {@code theta^(-2i/headDim)}, adjusted by the scaling type. */
  static double[] inverseFrequencies(int headDim, double theta, ModelConfig.RopeScaling scaling) {
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("rotary embeddings need an even head dimension, got " + headDim);
    }
    double[] inv = new double[headDim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    if (scaling == null) {
      return inv;
    }
    switch (scaling.type()) {
      case "linear" -> {
        for (int i = 0; i < inv.length; i++) {
          inv[i] /= scaling.factor();
        }
      }
      case "llama3" -> applyLlama3(inv, scaling);
      default -> throw new IllegalArgumentException("unsupported rope_scaling type " + scaling.type());
    }
    return inv;
  }

  /**
   * Llama 3.1 scaling: long wavelengths (beyond the original context / low_freq_factor) are divided by the
   * factor, short ones (below original context / high_freq_factor) kept, and the band between interpolated.
   */
  private static void applyLlama3(double[] inv, ModelConfig.RopeScaling s) {
    double oldContext = s.originalMaxPositionEmbeddings();
    double lowFreqWavelen = oldContext / s.lowFreqFactor();
    double highFreqWavelen = oldContext / s.highFreqFactor();
    for (int i = 0; i < inv.length; i++) {
      double wavelen = 2 * Math.PI / inv[i];
      if (wavelen > lowFreqWavelen) {
        inv[i] = inv[i] / s.factor();
      } else if (wavelen >= highFreqWavelen) {
        double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        inv[i] = (1 - smooth) * inv[i] / s.factor() + smooth * inv[i];
      }
    }
  }

  public int maxPositions() {
    return maxPositions;
  }

  public int headDim() {
    return 2 * halfDim;
  }

  /** Inverse frequency of pair {@code i}. */
  public double inverseFrequency(int i) {
    return invFreq[i];
  }

  /** cos of the angle of pair {@code i} (0 ≤ i < headDim/2) at {@code position}. */
  public float cos(int position, int i) {
    return cos[checked(position) * halfDim + i];
  }

  /** sin of the angle of pair {@code i} at {@code position}. */
  public float sin(int position, int i) {
    return sin[checked(position) * halfDim + i];
  }

  private int checked(int position) {
    if (position < 0 || position >= maxPositions) {
      throw new IllegalArgumentException(
          "position " + position + " outside the model's " + maxPositions + " positions");
    }
    return position;
  }
}
