package dev.robin.engine.chat;

/** One message of a conversation: {@code role} is system, user, assistant or tool; {@code content} is text. */
public record ChatMessage(String role, String content) {}
