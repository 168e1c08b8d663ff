package dev.robin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * What the load generator needs from one streamed chunk of {@code /v1/completions} (or chat completions):
 * the text it carries, its finish reason, the usage block of the final chunk, or an error.
 *
 * @param text the chunk's text ({@code choices[0].text}, or {@code choices[0].delta.content} for chat);
 *     empty when the chunk carries none (role-only first delta, finish chunk, usage chunk)
 * @param finishReason {@code choices[0].finish_reason}, or null
 * @param completionTokens {@code usage.completion_tokens}, or -1 when the chunk has no usage
 * @param promptTokens {@code usage.prompt_tokens}, or -1 when the chunk has no usage
 * @param cachedPromptTokens {@code usage.prompt_tokens_details.cached_tokens}: prompt tokens the server's
 *     prefix cache served; 0 when the usage has no such detail, -1 when the chunk has no usage
 * @param error the error message of a {@code {"error":{…}}} event, or null
 */
public record StreamChunk(
    String text, String finishReason, int completionTokens, int promptTokens, int cachedPromptTokens,
    String error) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether the chunk carries generated text, i.e. counts as a content token for TTFT and ITL. */
  public boolean hasContent() {
    return !text.isEmpty();
  }

  public boolean hasUsage() {
    return completionTokens >= 0;
  }

  /**
   * Parses the data of one SSE event (not {@code [DONE]}).
   *
   * @throws IllegalArgumentException when the data is not a JSON object
   */
  public static StreamChunk parse(String data) {
    JsonNode root;
    try {
      root = JSON.readTree(data);
    } catch (IOException e) {
      throw new IllegalArgumentException("stream event is not JSON: " + abbreviate(data), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("stream event is not a JSON object: " + abbreviate(data));
    }
    JsonNode error = root.get("error");
    if (error != null && !error.isNull()) {
      String message = error.path("message").asText(error.toString());
      return new StreamChunk("", null, -1, -1, -1, message);
    }
    String text = "";
    String finishReason = null;
    JsonNode choices = root.path("choices");
    if (choices.isArray() && choices.size() > 0) {
      JsonNode choice = choices.get(0);
      JsonNode t = choice.has("text") ? choice.get("text") : choice.path("delta").get("content");
      if (t != null && t.isTextual()) {
        text = t.asText();
      }
      JsonNode fr = choice.get("finish_reason");
      if (fr != null && fr.isTextual()) {
        finishReason = fr.asText();
      }
    }
    JsonNode usage = root.get("usage");
    int completion = -1;
    int prompt = -1;
    int cached = -1;
    if (usage != null && usage.isObject()) {
      completion = usage.path("completion_tokens").asInt(-1);
      prompt = usage.path("prompt_tokens").asInt(-1);
      cached = usage.path("prompt_tokens_details").path("cached_tokens").asInt(0);
    }
    return new StreamChunk(text, finishReason, completion, prompt, cached, null);
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
