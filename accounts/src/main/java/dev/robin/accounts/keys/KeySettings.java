package dev.robin.accounts.keys;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code robin.store.keys} block.
 *
 * @param creation who may create keys
 * @param adminToken token required to create keys (in admin mode) and to revoke them; empty disables both
 * @param cacheTtl how long a lookup result is trusted: a revocation on another node takes effect within it
 * @param cacheMaxEntries bound on cached lookups, so random keys cannot exhaust memory
 */
public record KeySettings(Creation creation, Optional<String> adminToken, Duration cacheTtl, int cacheMaxEntries) {

  /** Who may call {@code POST /keys}. */
  public enum Creation {
    /** Anyone. */
    OPEN,
    /** Only a caller presenting the admin token. */
    ADMIN
  }

  public KeySettings {
    if (cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("robin.store.keys.cache-ttl must be positive, got " + cacheTtl);
    }
    if (cacheMaxEntries < 1) {
      throw new IllegalArgumentException("robin.store.keys.cache-max-entries must be >= 1, got " + cacheMaxEntries);
    }
  }

  /** Reads {@code robin.store.keys}. */
  public static KeySettings fromConfig(Config keys) {
    String mode = keys.getString("creation").trim().toLowerCase(Locale.ROOT);
    Creation creation = switch (mode) {
      case "open" -> Creation.OPEN;
      case "admin" -> Creation.ADMIN;
      default -> throw new ConfigException.BadValue("robin.store.keys.creation", "must be 'open' or 'admin', got '"
          + mode + "'");
    };
    String token = keys.hasPath("admin-token") ? keys.getString("admin-token").trim() : "";
    if (creation == Creation.ADMIN && token.isEmpty()) {
      throw new ConfigException.BadValue("robin.store.keys.admin-token",
          "must be set (ROBIN_ADMIN_TOKEN) when robin.store.keys.creation = admin");
    }
    return new KeySettings(creation, token.isEmpty() ? Optional.empty() : Optional.of(token),
        keys.getDuration("cache-ttl"), keys.getInt("cache-max-entries"));
  }

  @Override
  public String toString() {
    return "KeySettings[creation=" + creation + ", adminToken=" + (adminToken.isPresent() ? "set" : "unset")
        + ", cacheTtl=" + cacheTtl + ", cacheMaxEntries=" + cacheMaxEntries + "]";
  }
}
