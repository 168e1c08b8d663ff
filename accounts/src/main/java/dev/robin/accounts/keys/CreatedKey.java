package dev.robin.accounts.keys;

import java.time.Instant;

/**
 * A key just created: the only time its plaintext exists outside the client. {@link #toString()} hides it so it
 * cannot reach a log by accident.
 *
 * @param id public id (for revocation and usage)
 * @param name owner-chosen label, possibly empty
 * @param key the plaintext key, to return once in the create response
 * @param created creation time
 */
public record CreatedKey(String id, String name, String key, Instant created) {

  @Override
  public String toString() {
    return "CreatedKey[id=" + id + ", name=" + name + ", key=" + ApiKeys.redact(key) + ", created=" + created + "]";
  }
}
