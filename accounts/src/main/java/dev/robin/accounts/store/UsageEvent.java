package dev.robin.accounts.store;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One finished request (completed, failed or cancelled) charged to an API key. The {@code requestId} makes
 * recording idempotent: storing the same event twice counts it once.
 *
 * @param requestId unique id of the request ({@code x-request-id})
 * @param keyId the key the request was made with
 * @param endedAt when the request ended; its UTC date is the day it is counted on
 * @param promptTokens tokens of the prompt, 0 if none were processed
 * @param completionTokens tokens generated, 0 if none
 */
public record UsageEvent(String requestId, String keyId, Instant endedAt, long promptTokens, long completionTokens) {

  public UsageEvent {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(endedAt, "endedAt");
    if (requestId.isBlank()) {
      throw new IllegalArgumentException("requestId must not be blank");
    }
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException(
          "token counts must be >= 0, got prompt=" + promptTokens + " completion=" + completionTokens);
    }
  }

  /** The UTC day this event is counted on. */
  public LocalDate day() {
    return LocalDate.ofInstant(endedAt, ZoneOffset.UTC);
  }
}
