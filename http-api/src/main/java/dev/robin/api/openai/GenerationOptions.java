package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.sampling.LogitBias;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters chat and text completions share, validated.
 *
 * @param maxTokens requested completion length; null means the default (fit to the context)
 * @param seed null draws a random seed per choice
 * @param stop stop strings (at most 4, empty strings dropped)
 * @param ignoreEos vLLM extension: keep generating past EOS until {@code maxTokens}
 * @param logitBias OpenAI's {@code logit_bias}, ids not yet checked against the vocabulary
 * @param minP vLLM's {@code min_p} (0: off)
 * @param minTokens vLLM's {@code min_tokens}: no end-of-sequence before this many tokens (0: none)
 * @param repetitionPenalty vLLM's {@code repetition_penalty} (1: none)
 * @param constraint what the output must be ({@code response_format}, vLLM's {@code guided_*}); null: free text
 */
public record GenerationOptions(
    Integer maxTokens,
    boolean stream,
    boolean includeUsage,
    double temperature,
    double topP,
    int topK,
    Long seed,
    double presencePenalty,
    double frequencyPenalty,
    List<String> stop,
    int n,
    boolean ignoreEos,
    String user,
    LogitBias logitBias,
    double minP,
    int minTokens,
    double repetitionPenalty,
    OutputConstraint constraint) {

  /** These options with the output constrained (a tool call the request requires). */
  public GenerationOptions withConstraint(OutputConstraint constraint) {
    return new GenerationOptions(maxTokens, stream, includeUsage, temperature, topP, topK, seed, presencePenalty,
        frequencyPenalty, stop, n, ignoreEos, user, logitBias, minP, minTokens, repetitionPenalty, constraint);
  }

  public static final int MAX_N = 8;
  public static final int MAX_STOP_STRINGS = 4;
  /** Longest stop string: each is matched against the output at every token, so its length is work per token. */
  public static final int MAX_STOP_CHARS = 1024;
  /** Longest {@code user} (an end-user id OpenAI lets clients pass along). */
  public static final int MAX_USER_CHARS = 512;
  public static final double DEFAULT_TEMPERATURE = 0.7;

  /** Reads the shared parameters; {@code maxTemperature} differs between chat (2) and completions (1). */
  static GenerationOptions parse(JsonFields f, double maxTemperature, int maxTokensLimit) {
    Long maxTokens = f.integer("max_tokens", 1, maxTokensLimit);
    Long maxCompletionTokens = f.integer("max_completion_tokens", 1, maxTokensLimit);
    if (maxCompletionTokens != null) {
      maxTokens = maxCompletionTokens; // OpenAI deprecates max_tokens in its favour: it wins when both are sent
    }
    boolean stream = f.bool("stream", false);
    boolean includeUsage = false;
    JsonNode streamOptions = f.raw("stream_options");
    if (streamOptions != null) {
      if (!stream) {
        throw ApiError.invalidValue(
                "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is true.")
            .toException();
      }
      includeUsage = JsonFields.nested(streamOptions, "stream_options").bool("include_usage", false);
    }
    double temperature = f.decimal("temperature", 0, false, maxTemperature, DEFAULT_TEMPERATURE);
    double topP = f.decimal("top_p", 0, true, 1, 1.0);
    Long topK = f.integer("top_k", 0, Integer.MAX_VALUE);
    Long seed = f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
    double presence = f.decimal("presence_penalty", -2, false, 2, 0);
    double frequency = f.decimal("frequency_penalty", -2, false, 2, 0);
    Long n = f.integer("n", 1, MAX_N);
    boolean ignoreEos = f.bool("ignore_eos", false);
    double minP = f.decimal("min_p", 0, false, 1, 0);
    double repetitionPenalty = f.decimal("repetition_penalty", 0, true, Samplers.MAX_REPETITION_PENALTY, 1.0);
    Long minTokens = f.integer("min_tokens", 0, maxTokensLimit);
    if (minTokens != null && maxTokens != null && minTokens > maxTokens) {
      throw ApiError.invalidValue("min_tokens", "min_tokens (" + minTokens + ") must not exceed max_tokens ("
          + maxTokens + ").").toException();
    }
    String user = f.optionalString("user", MAX_USER_CHARS);
    return new GenerationOptions(
        maxTokens == null ? null : maxTokens.intValue(),
        stream,
        includeUsage,
        temperature,
        topP,
        topK == null ? 0 : topK.intValue(),
        seed,
        presence,
        frequency,
        stopStrings(f.raw("stop")),
        n == null ? 1 : n.intValue(),
        ignoreEos,
        user,
        LogitBiasParser.parse(f.raw(LogitBiasParser.PARAM)),
        minP,
        minTokens == null ? 0 : minTokens.intValue(),
        repetitionPenalty,
        OutputConstraintParser.parse(f));
  }

  private static List<String> stopStrings(JsonNode node) {
    List<String> stops = new ArrayList<>();
    if (node == null) {
      return stops;
    }
    if (node.isTextual()) {
      if (!node.textValue().isEmpty()) {
        stops.add(JsonFields.checkLength(node.textValue(), "stop", MAX_STOP_CHARS));
      }
      return stops;
    }
    if (!node.isArray()) {
      throw ApiError.invalidType("stop", "a string or an array of strings", Json.typeName(node)).toException();
    }
    if (node.size() > MAX_STOP_STRINGS) {
      throw ApiError.badRequest(
              "array_above_max_length",
              "stop",
              "Invalid 'stop': array too long. Expected at most " + MAX_STOP_STRINGS + " strings, but got "
                  + node.size() + ".")
          .toException();
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        throw ApiError.invalidType("stop[" + i + "]", "a string", Json.typeName(item)).toException();
      }
      if (!item.textValue().isEmpty()) {
        stops.add(JsonFields.checkLength(item.textValue(), "stop[" + i + "]", MAX_STOP_CHARS));
      }
    }
    return List.copyOf(stops);
  }
}
