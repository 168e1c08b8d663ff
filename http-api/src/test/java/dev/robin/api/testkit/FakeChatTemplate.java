package dev.robin.api.testkit;

import dev.robin.engine.chat.ChatMessage;
import dev.robin.engine.chat.ChatTemplate;
import dev.robin.engine.chat.ChatTemplateException;
import java.util.List;

/** {@code <s>[role]content\n…[assistant]}; refuses a conversation whose last message is the assistant's. */
public final class FakeChatTemplate implements ChatTemplate {

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    if (messages.get(messages.size() - 1).role().equals("assistant")) {
      throw new ChatTemplateException("Conversation roles must end with a user message");
    }
    StringBuilder sb = new StringBuilder("<s>");
    for (ChatMessage m : messages) {
      sb.append('[').append(m.role()).append(']').append(m.content()).append('\n');
    }
    if (addGenerationPrompt) {
      sb.append("[assistant]");
    }
    return sb.toString();
  }
}
