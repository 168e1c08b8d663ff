package dev.robin.engine.sampling;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * OpenAI's {@code logit_bias}: a value added to the logit of each listed token before sampling. -100
 * effectively bans a token, +100 effectively forces it. Immutable; ids are kept sorted and unique.
 */
// Serialized as its two arrays (a request may travel to a replica on another node), rebuilt through of().
@JsonAutoDetect(
    fieldVisibility = Visibility.NONE,
    getterVisibility = Visibility.NONE,
    isGetterVisibility = Visibility.NONE)
public final class LogitBias {

  /** No bias at all: what every request without {@code logit_bias} gets. */
  public static final LogitBias NONE = new LogitBias(new int[0], new float[0]);

  /** OpenAI's documented range of one bias. */
  public static final double MIN_BIAS = -100.0;

  public static final double MAX_BIAS = 100.0;

  @JsonProperty("tokenIds")
  private final int[] tokenIds;

  @JsonProperty("biases")
  private final float[] biases;

  private LogitBias(int[] tokenIds, float[] biases) {
    this.tokenIds = tokenIds;
    this.biases = biases;
  }

  /**
   * The bias {@code biases[i]} on token {@code tokenIds[i]}; the arrays are copied.
   *
   * @throws IllegalArgumentException on different lengths, a negative or repeated id, or a bias outside
   *     [-100, 100]
   */
  @JsonCreator
  public static LogitBias of(@JsonProperty("tokenIds") int[] tokenIds, @JsonProperty("biases") float[] biases) {
    if (tokenIds.length != biases.length) {
      throw new IllegalArgumentException(
          "logit_bias needs one bias per token id, got " + tokenIds.length + " ids and " + biases.length + " biases");
    }
    if (tokenIds.length == 0) {
      return NONE;
    }
    Integer[] order = new Integer[tokenIds.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(tokenIds[a], tokenIds[b]));
    int[] ids = new int[order.length];
    float[] values = new float[order.length];
    for (int i = 0; i < order.length; i++) {
      ids[i] = tokenIds[order[i]];
      values[i] = biases[order[i]];
      if (ids[i] < 0) {
        throw new IllegalArgumentException("logit_bias token ids must not be negative, got " + ids[i]);
      }
      if (i > 0 && ids[i] == ids[i - 1]) {
        throw new IllegalArgumentException("logit_bias lists token " + ids[i] + " twice");
      }
      if (!(values[i] >= MIN_BIAS && values[i] <= MAX_BIAS)) {
        throw new IllegalArgumentException(
            "logit_bias values must be between -100 and 100, got " + values[i] + " for token " + ids[i]);
      }
    }
    return new LogitBias(ids, values);
  }

  public boolean isEmpty() {
    return tokenIds.length == 0;
  }

  public int size() {
    return tokenIds.length;
  }

  /** The largest biased id, or -1 when empty: checked against the vocabulary. */
  public int maxTokenId() {
    return tokenIds.length == 0 ? -1 : tokenIds[tokenIds.length - 1];
  }

  /** The bias on {@code tokenId}, 0 when it has none. */
  public float biasOf(int tokenId) {
    int i = Arrays.binarySearch(tokenIds, tokenId);
    return i >= 0 ? biases[i] : 0f;
  }

  /** Adds the biases to {@code logits} in place; the caller passes its own copy. */
  void addTo(float[] logits) {
    for (int i = 0; i < tokenIds.length; i++) {
      logits[tokenIds[i]] += biases[i];
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogitBias other
        && Arrays.equals(tokenIds, other.tokenIds)
        && Arrays.equals(biases, other.biases);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokenIds) + Arrays.hashCode(biases);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("LogitBias{");
    for (int i = 0; i < tokenIds.length; i++) {
      s.append(i == 0 ? "" : ", ").append(tokenIds[i]).append('=').append(biases[i]);
    }
    return s.append('}').toString();
  }
}
