package dev.robin.api.request;

import dev.robin.api.openai.ToolUse;
import dev.robin.engine.toolcall.ToolCallExtractor;
import dev.robin.engine.toolcall.ToolCallFormat;
import java.security.SecureRandom;
import java.util.Random;

/**
 * How a chat request's choices are read for tool calls, and how the calls are named.
 *
 * @param choice {@code auto} (the model's own format), {@code required} or a named function (constrained JSON)
 * @param format the model's format (from its chat template)
 * @param function the function a {@link ToolUse.Choice#FUNCTION} choice calls; null otherwise
 * @param parallel false: only a choice's first call is kept
 */
public record ToolCalling(ToolUse.Choice choice, ToolCallFormat format, String function, boolean parallel) {

  private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final Random RANDOM = new SecureRandom();

  /** A new extractor for one choice. */
  ToolCallExtractor newExtractor() {
    return switch (choice) {
      case REQUIRED -> ToolCallExtractor.callsJson();
      case FUNCTION -> ToolCallExtractor.argumentsOf(function);
      default -> ToolCallExtractor.of(format);
    };
  }

  /**
   * A new call id: {@code call_} and 24 characters, as OpenAI's; for Mistral models 9 alphanumerics, the only ids
   * their templates accept when the conversation comes back.
   */
  String newCallId() {
    if (format == ToolCallFormat.MISTRAL) {
      return randomAlphanumeric(9);
    }
    return "call_" + randomAlphanumeric(24);
  }

  private static String randomAlphanumeric(int length) {
    StringBuilder id = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      id.append(ALPHANUMERIC.charAt(RANDOM.nextInt(ALPHANUMERIC.length())));
    }
    return id.toString();
  }
}
