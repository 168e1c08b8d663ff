package dev.robin.api.auth;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Finds the API key a request presents, in the contract's order: {@code Authorization: Bearer <key>}, then an
 * {@code x-api-key} or {@code api-key} header, then an {@code api_key} query parameter (for browser EventSource
 * clients). A blank value counts as no key. The key is never logged.
 */
public final class PresentedKey {

  private static final String BEARER = "bearer ";

  private PresentedKey() {}

  /** The presented key, if any. */
  public static Optional<String> from(HttpRequest request) {
    Optional<String> bearer = bearerToken(request);
    if (bearer.isPresent()) {
      return bearer;
    }
    for (String name : new String[] {"x-api-key", "api-key"}) {
      Optional<String> value = request.getHeader(name).map(HttpHeader::value).map(String::trim)
          .filter(v -> !v.isEmpty());
      if (value.isPresent()) {
        return value;
      }
    }
    try {
      return request.getUri().query().get("api_key").map(String::trim).filter(v -> !v.isEmpty());
    } catch (RuntimeException malformedQuery) {
      return Optional.empty(); // an unparsable query string carries no usable key
    }
  }

  /** The token of an {@code Authorization: Bearer} header (also where the admin token is sent). */
  public static Optional<String> bearerToken(HttpRequest request) {
    return request.getHeader("authorization")
        .map(HttpHeader::value)
        .map(String::trim)
        .filter(v -> v.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        .map(v -> v.substring(BEARER.length()).trim())
        .filter(v -> !v.isEmpty());
  }
}
