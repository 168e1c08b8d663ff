package dev.robin.accounts.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What the store keeps about one API key. Never the key itself: only its hash ({@code keyHash}, lowercase hex
 * SHA-256 of the plaintext) and a short display prefix so an owner can tell keys apart.
 *
 * @param id public identifier, safe to log and to show
 * @param name owner-chosen label, possibly empty
 * @param displayPrefix first characters of the plaintext, e.g. {@code rk-AbCdE}
 * @param keyHash hex SHA-256 of the plaintext key
 * @param created when the key was created
 * @param revoked whether the key was revoked
 */
public record ApiKeyRecord(
    String id, String name, String displayPrefix, String keyHash, Instant created, boolean revoked) {

  public ApiKeyRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(displayPrefix, "displayPrefix");
    Objects.requireNonNull(keyHash, "keyHash");
    Objects.requireNonNull(created, "created");
  }

  /** This key, revoked. */
  public ApiKeyRecord asRevoked() {
    return new ApiKeyRecord(id, name, displayPrefix, keyHash, created, true);
  }

  @Override
  public String toString() {
    // The hash is not a secret in the strict sense, but it is a lookup token: keep it out of logs.
    return "ApiKeyRecord[id=" + id + ", name=" + name + ", displayPrefix=" + displayPrefix + ", created=" + created
        + ", revoked=" + revoked + "]";
  }
}
