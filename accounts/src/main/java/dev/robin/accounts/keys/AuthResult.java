package dev.robin.accounts.keys;

/** The outcome of checking a presented API key. */
public sealed interface AuthResult {

  /** The key exists and is not revoked; requests are charged to {@code keyId}. */
  record Authenticated(String keyId) implements AuthResult {}

  /** No such key, or not a Robin key at all. */
  record Invalid() implements AuthResult {}

  /** The key existed but was revoked. */
  record Revoked(String keyId) implements AuthResult {}

  /** The shared {@link Invalid} instance. */
  AuthResult INVALID = new Invalid();
}
