package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.engine.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /chat/completions} body.
 *
 * @param topLogprobs alternatives per token, 0..20; meaningful only with {@code logprobs}
 */
public record ChatCompletionRequest(
    String model, List<ChatMessage> messages, GenerationOptions options, boolean logprobs, int topLogprobs) {

  public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");
  public static final int MAX_TOP_LOGPROBS = 20;

  /** Parses and validates; throws {@link dev.robin.api.error.ApiException} on the first bad parameter. */
  public static ParsedRequest<ChatCompletionRequest> parse(JsonNode body, int maxTokensLimit) {
    JsonFields f = JsonFields.root(body);
    String model = f.requiredString("model");
    List<ChatMessage> messages = messages(f.required("messages"));
    GenerationOptions options = GenerationOptions.parse(f, 2.0, maxTokensLimit);
    boolean logprobs = f.bool("logprobs", false);
    Long topLogprobs = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
    if (topLogprobs != null && !logprobs) {
      throw ApiError.invalidValue("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.").toException();
    }
    ChatCompletionRequest request =
        new ChatCompletionRequest(model, messages, options, logprobs, topLogprobs == null ? 0 : topLogprobs.intValue());
    return new ParsedRequest<>(request, f.unknownFields());
  }

  private static List<ChatMessage> messages(JsonNode node) {
    if (!node.isArray()) {
      throw ApiError.invalidType("messages", "an array", Json.typeName(node)).toException();
    }
    if (node.isEmpty()) {
      throw ApiError.badRequest(
              "empty_array", "messages", "Invalid 'messages': empty array. Expected an array with at least one message.")
          .toException();
    }
    List<ChatMessage> messages = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String param = "messages[" + i + "]";
      JsonFields m = JsonFields.nested(node.get(i), param);
      String role = m.requiredString("role");
      if (!ROLES.contains(role)) {
        throw ApiError.invalidValue(
                m.param("role"),
                "Invalid value for '" + m.param("role") + "': '" + role
                    + "'. Supported values are: 'system', 'user', 'assistant', 'tool' and 'developer'.")
            .toException();
      }
      // "developer" is OpenAI's newer name for "system"; templates know only the latter.
      messages.add(new ChatMessage("developer".equals(role) ? "system" : role, content(m, role)));
    }
    return List.copyOf(messages);
  }

  private static String content(JsonFields m, String role) {
    JsonNode content = m.raw("content");
    String param = m.param("content");
    if (content == null) {
      if ("assistant".equals(role)) {
        return ""; // an assistant turn that only called tools has no content
      }
      throw ApiError.missing(param).toException();
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (!content.isArray()) {
      throw ApiError.invalidType(param, "a string or an array of content parts", Json.typeName(content))
          .toException();
    }
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < content.size(); j++) {
      JsonFields part = JsonFields.nested(content.get(j), param + "[" + j + "]");
      String type = part.requiredString("type");
      if (!"text".equals(type)) {
        throw ApiError.invalidValue(
                part.param("type"),
                "Invalid value for '" + part.param("type") + "': '" + type + "'. Only 'text' parts are supported.")
            .toException();
      }
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(part.requiredString("text"));
    }
    return text.toString();
  }
}
