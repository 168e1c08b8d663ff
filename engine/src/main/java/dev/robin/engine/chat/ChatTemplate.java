package dev.robin.engine.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Renders a conversation into the prompt text a model was trained on. */
public interface ChatTemplate {

  /**
   * The prompt for {@code messages}, without tools; with {@code addGenerationPrompt}, ends where the
   * assistant's answer begins. Throws {@link ChatTemplateException} when the template rejects the
   * conversation (e.g. its {@code raise_exception} on an unsupported role order).
   */
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);

  /**
   * The prompt for {@code messages} with the functions the model may call.
   *
   * @param tools OpenAI's {@code tools} list ({@code {"type": "function", "function": {"name",
   *     "description", "parameters"}}}), given to the template as its {@code tools} variable; null for none
   *     (the template sees {@code None}; an empty list is a list, as in transformers)
   * @throws ChatTemplateException when the template rejects the conversation, or cannot show tools at all
   *     (this default: templates that are not Jinja)
   */
  default String render(List<ChatMessage> messages, List<JsonNode> tools, boolean addGenerationPrompt) {
    if (tools != null) {
      throw new ChatTemplateException("this model's chat template cannot show tools to the model");
    }
    return render(messages, addGenerationPrompt);
  }
}
