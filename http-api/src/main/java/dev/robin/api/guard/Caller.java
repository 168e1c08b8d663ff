package dev.robin.api.guard;

/**
 * Who sent a request, as the {@link RequestGuard} established it.
 *
 * @param clientIp the client's address (after trusted-proxy handling, if the guard does any)
 * @param keyId the API key's id, or null on the unauthenticated tier
 */
public record Caller(String clientIp, String keyId) {

  public static Caller anonymous(String clientIp) {
    return new Caller(clientIp, null);
  }

  public boolean isAuthenticated() {
    return keyId != null;
  }
}
