package dev.robin.engine.chat;

import java.util.List;
import java.util.Map;

/**
 * The fallback for a model without a chat template (a base model such as stories260k): one line per
 * message, its role as a label, and an open assistant turn when a generation prompt is asked for:
 *
 * <pre>
 * System: You are terse.
 * User: Hi
 * Assistant: Hello!
 * User: Tell me a story
 * Assistant:</pre>
 *
 * Lines end with {@code \n}; the generation prompt is {@code "Assistant:"} with no trailing space (the
 * model's first token usually carries its own leading space). Roles are system, user, assistant and tool.
 * The text starts with the model's BOS token text (e.g. {@code <s>}) when it has one, like real templates,
 * so every chat prompt is encoded the same way: without adding special tokens.
 */
public final class PlainChatTemplate implements ChatTemplate {

  private final String bosToken;

  /** @param bosToken the BOS token's text to start the prompt with; empty for none */
  public PlainChatTemplate(String bosToken) {
    this.bosToken = bosToken == null ? "" : bosToken;
  }

  private static final Map<String, String> LABELS =
      Map.of("system", "System", "user", "User", "assistant", "Assistant", "tool", "Tool");

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    StringBuilder out = new StringBuilder(bosToken);
    for (ChatMessage m : messages) {
      String label = m == null || m.role() == null ? null : LABELS.get(m.role());
      if (label == null) {
        throw new ChatTemplateException("unsupported role '" + (m == null ? null : m.role())
            + "': expected system, user, assistant or tool");
      }
      out.append(label).append(": ").append(m.content() == null ? "" : m.content()).append('\n');
    }
    if (addGenerationPrompt) {
      out.append("Assistant:");
    }
    return out.toString();
  }
}
