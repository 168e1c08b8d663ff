package dev.robin.engine.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation, with what chat templates read from it.
 *
 * @param role system, user, assistant or tool
 * @param content the text; null for none (templates see Python's {@code None})
 * @param toolCalls the functions an assistant message called (empty for none)
 * @param toolCallId for a tool message: the id of the call it answers; null for none
 * @param name for a tool message: the function's name (some templates show it); null for none
 * @param reasoningContent for an assistant message: its reasoning (Qwen3 shows it between {@code <think>}
 *     tags); null for none
 */
public record ChatMessage(
    String role, String content, List<ToolCall> toolCalls, String toolCallId, String name, String reasoningContent) {

  /**
   * A call of a function by the assistant: {@code {"id", "type": "function", "function": {"name",
   * "arguments"}}}.
   *
   * @param id the call's id; null for none (Llama's templates use none, Mistral's require one)
   * @param name the function's name
   * @param arguments the arguments as transformers passes them to a template: a JSON object (parse OpenAI's
   *     JSON-encoded string before); a string node is shown as it is by templates that test {@code is string}
   */
  public record ToolCall(String id, String name, JsonNode arguments) {

    public ToolCall {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(arguments, "arguments");
    }
  }

  public ChatMessage {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** A message with text only. */
  public ChatMessage(String role, String content) {
    this(role, content, List.of(), null, null, null);
  }

  /** An assistant message that calls functions, with its text (null or empty for none). */
  public static ChatMessage assistantCalls(String content, List<ToolCall> toolCalls) {
    return new ChatMessage("assistant", content, toolCalls, null, null, null);
  }

  /** A tool message: the result of the call {@code toolCallId} (null when the conversation has no ids). */
  public static ChatMessage toolResult(String toolCallId, String content) {
    return new ChatMessage("tool", content, List.of(), toolCallId, null, null);
  }

  /** This message with its reasoning (an assistant turn of a reasoning model). */
  public ChatMessage withReasoning(String reasoning) {
    return new ChatMessage(role, content, toolCalls, toolCallId, name, reasoning);
  }

  /** This message with a {@code name}. */
  public ChatMessage withName(String name) {
    return new ChatMessage(role, content, toolCalls, toolCallId, name, reasoningContent);
  }

  /**
   * The dict a template sees, keys in this order: {@code role}, {@code content}, then only those present:
   * {@code reasoning_content}, {@code tool_calls}, {@code tool_call_id}, {@code name}. An absent key is
   * undefined in the template ({@code message.tool_calls is defined} is false), as with transformers given
   * OpenAI-shaped messages.
   */
  public Map<String, Object> templateValue() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    if (reasoningContent != null) {
      m.put("reasoning_content", reasoningContent);
    }
    if (!toolCalls.isEmpty()) {
      List<Object> calls = new ArrayList<>(toolCalls.size());
      for (ToolCall call : toolCalls) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (call.id() != null) {
          c.put("id", call.id());
        }
        c.put("type", "function");
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", call.arguments());
        c.put("function", function);
        calls.add(c);
      }
      m.put("tool_calls", calls);
    }
    if (toolCallId != null) {
      m.put("tool_call_id", toolCallId);
    }
    if (name != null) {
      m.put("name", name);
    }
    return m;
  }
}
