package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import dev.robin.engine.sampling.LogitBias;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads OpenAI's {@code logit_bias}: an object from token ids written as strings ({@code "50256"}) to a number
 * in [-100, 100]. Whether each id exists in the model's vocabulary is checked once the model is known
 * ({@link #checkVocabulary}).
 */
public final class LogitBiasParser {

  static final String PARAM = "logit_bias";

  /**
   * At most this many entries. OpenAI's reference documents no limit; 300 is the figure its API has been
   * reported to enforce, ample for banning or favouring words (a word is a few tokens), and it bounds the
   * per-token cost of applying the bias.
   */
  public static final int MAX_ENTRIES = 300;

  private LogitBiasParser() {}

  /** {@link LogitBias#NONE} when absent or null. */
  static LogitBias parse(JsonNode node) {
    if (node == null || node.isNull()) {
      return LogitBias.NONE;
    }
    if (!node.isObject()) {
      throw ApiError.invalidType(PARAM, "an object", Json.typeName(node)).toException();
    }
    if (node.size() > MAX_ENTRIES) {
      throw ApiError.badRequest(
              "object_above_max_properties",
              PARAM,
              "Invalid '" + PARAM + "': too many tokens. Expected at most " + MAX_ENTRIES + ", but got "
                  + node.size() + ".")
          .toException();
    }
    int[] ids = new int[node.size()];
    float[] biases = new float[node.size()];
    int i = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); i++) {
      Map.Entry<String, JsonNode> e = it.next();
      ids[i] = tokenId(e.getKey());
      biases[i] = bias(e.getKey(), e.getValue());
    }
    // JSON parsing already rejected duplicate keys or kept one; "7" and "07" are the same token though.
    try {
      return LogitBias.of(ids, biases);
    } catch (IllegalArgumentException duplicate) {
      throw ApiError.invalidValue(PARAM, "Invalid '" + PARAM + "': " + duplicate.getMessage() + ".").toException();
    }
  }

  /** Refuses an id the model cannot produce: the bias would otherwise be silently meaningless. */
  public static void checkVocabulary(LogitBias bias, int vocabSize) {
    int max = bias.maxTokenId();
    if (max >= vocabSize) {
      throw ApiError.invalidValue(
              PARAM,
              "Invalid '" + PARAM + "': token id " + max + " is outside the model's vocabulary (size " + vocabSize
                  + ").")
          .toException();
    }
  }

  private static int tokenId(String key) {
    return (int) JsonFields.integerInString(key, PARAM, 0, Integer.MAX_VALUE);
  }

  /** Through the one number path; the error names the entry in its message and keeps {@code logit_bias} as param. */
  private static float bias(String key, JsonNode value) {
    try {
      return (float) JsonFields.decimalValue(value, PARAM + "." + abbreviate(key), LogitBias.MIN_BIAS, false,
          LogitBias.MAX_BIAS);
    } catch (ApiException e) {
      ApiError error = e.error();
      throw new ApiError(error.status(), error.type(), error.code(), PARAM, error.message(), null).toException();
    }
  }

  private static String abbreviate(String key) {
    return key.length() <= 20 ? key : key.substring(0, 20) + "…";
  }
}
