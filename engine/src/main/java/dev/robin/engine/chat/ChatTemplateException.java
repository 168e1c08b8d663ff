package dev.robin.engine.chat;

/** The chat template refused the conversation; the message is the template's own, fit for a client. */
public class ChatTemplateException extends RuntimeException {

  public ChatTemplateException(String message) {
    super(message);
  }

  public ChatTemplateException(String message, Throwable cause) {
    super(message, cause);
  }
}
