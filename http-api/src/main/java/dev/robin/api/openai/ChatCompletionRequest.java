package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.robin.engine.chat.ChatMessage;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /chat/completions} body.
 *
 * @param topLogprobs alternatives per token, 0..20; meaningful only with {@code logprobs}
 * @param tools the functions the model may call; with {@code tool_choice} {@code required} or a named function,
 *     {@code options} carries the constraint that makes it call
 */
public record ChatCompletionRequest(
    String model, List<ChatMessage> messages, GenerationOptions options, boolean logprobs, int topLogprobs,
    ToolUse tools) {

  public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");
  public static final int MAX_TOP_LOGPROBS = 20;

  /** Parses and validates; throws {@link dev.robin.api.error.ApiException} on the first bad parameter. */
  public static ParsedRequest<ChatCompletionRequest> parse(JsonNode body, int maxTokensLimit) {
    JsonFields f = JsonFields.root(body);
    String model = f.requiredString("model", JsonFields.MAX_IDENTIFIER_CHARS);
    List<ChatMessage> messages = messages(f.required("messages"));
    GenerationOptions options = GenerationOptions.parse(f, 2.0, maxTokensLimit);
    boolean logprobs = f.bool("logprobs", false);
    Long topLogprobs = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
    if (topLogprobs != null && !logprobs) {
      throw ApiError.invalidValue("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.").toException();
    }
    ToolUse tools = ToolUse.parse(f);
    OutputConstraint forced = tools.constraint();
    if (forced != null) {
      if (options.constraint() != null) {
        throw ApiError.invalidValue("tool_choice", "tool_choice 'required' or a named function already constrains "
            + "the output; it cannot be combined with response_format or guided decoding.").toException();
      }
      options = options.withConstraint(forced);
    }
    ChatCompletionRequest request = new ChatCompletionRequest(
        model, messages, options, logprobs, topLogprobs == null ? 0 : topLogprobs.intValue(), tools);
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
      List<ChatMessage.ToolCall> calls = "assistant".equals(role) ? toolCalls(m) : List.of();
      String toolCallId = "tool".equals(role) ? m.requiredString("tool_call_id", JsonFields.MAX_IDENTIFIER_CHARS) : null;
      String content = calls.isEmpty() ? content(m, role) : contentOrNull(m);
      // "developer" is OpenAI's newer name for "system"; templates know only the latter.
      messages.add(new ChatMessage("developer".equals(role) ? "system" : role, content, calls, toolCallId,
          m.optionalString("name", JsonFields.MAX_IDENTIFIER_CHARS), null));
    }
    return List.copyOf(messages);
  }

  /** An assistant turn that called tools may have no text: None for the template, as transformers gets it. */
  private static String contentOrNull(JsonFields m) {
    return m.raw("content") == null ? null : content(m, "assistant");
  }

  /**
   * An assistant message's {@code tool_calls}. Their {@code arguments}, a JSON-encoded string in OpenAI's API, go
   * to the template as the object they encode (templates write them with {@code tojson}); a string that is not a
   * JSON object stays a string, so a conversation with a model's malformed call can go on.
   */
  private static List<ChatMessage.ToolCall> toolCalls(JsonFields m) {
    JsonNode node = m.raw("tool_calls");
    if (node == null) {
      return List.of();
    }
    String param = m.param("tool_calls");
    if (!node.isArray()) {
      throw ApiError.invalidType(param, "an array", Json.typeName(node)).toException();
    }
    List<ChatMessage.ToolCall> calls = new ArrayList<>(node.size());
    for (int j = 0; j < node.size(); j++) {
      JsonFields call = JsonFields.nested(node.get(j), param + "[" + j + "]");
      String id = call.requiredString("id", JsonFields.MAX_IDENTIFIER_CHARS);
      String type = call.optionalString("type");
      if (type != null && !"function".equals(type)) {
        throw ApiError.invalidValue(call.param("type"), "Invalid value: '" + type
            + "'. Supported values are: 'function'.").toException();
      }
      JsonFields function = JsonFields.nested(call.required("function"), call.param("function"));
      String name = function.requiredString("name", JsonFields.MAX_IDENTIFIER_CHARS);
      String arguments = function.requiredString("arguments");
      calls.add(new ChatMessage.ToolCall(id, name, argumentsValue(arguments)));
    }
    return calls;
  }

  private static JsonNode argumentsValue(String arguments) {
    try {
      JsonNode parsed = Json.MAPPER.readTree(arguments);
      if (parsed != null && parsed.isObject()) {
        return parsed;
      }
    } catch (java.io.IOException e) {
      // not JSON: kept as the string it is
    }
    return TextNode.valueOf(arguments);
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
