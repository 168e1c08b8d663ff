package dev.robin.engine.chat;

import java.util.List;

/** Renders a conversation into the prompt text a model was trained on. */
public interface ChatTemplate {

  /**
   * The prompt for {@code messages}; with {@code addGenerationPrompt}, ends where the assistant's answer
   * begins. Throws {@link ChatTemplateException} when the template rejects the conversation (e.g. its
   * {@code raise_exception} on an unsupported role order).
   */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
