package dev.robin.accounts.ratelimit;

import java.util.Objects;
import java.util.Optional;

/**
 * Which bucket a request draws from: the calling key's, or the client IP's when unauthenticated, and a separate
 * pair for model listing. Its {@link #entityId()} names the bucket's cluster-sharding entity.
 *
 * @param kind which limit applies
 * @param subject the key id or the client IP
 */
public record BucketKey(Kind kind, String subject) {

  /** The buckets, each with its own limit. */
  public enum Kind {
    /** Unauthenticated requests, per client IP. */
    IP("ip"),
    /** Authenticated requests, per API key id. */
    KEY("key"),
    /** {@code GET /models} without a key, per client IP. */
    LISTING_IP("list-ip"),
    /** {@code GET /models} with a key, per key id. */
    LISTING_KEY("list-key"),
    /**
     * Failed authentications (an unknown or revoked API key, a wrong admin token), per client IP: its own
     * limit, so guessing is slowed while the IP's general bucket and every valid credential stay untouched.
     */
    AUTH_FAILURE("auth-fail");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    /** Whether this is one of the model-listing buckets. */
    public boolean isListing() {
      return this == LISTING_IP || this == LISTING_KEY;
    }
  }

  public BucketKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty()) {
      throw new IllegalArgumentException("a bucket needs a key id or client IP");
    }
  }

  /** The general bucket of an authenticated key. */
  public static BucketKey forKey(String keyId) {
    return new BucketKey(Kind.KEY, keyId);
  }

  /** The general bucket of an unauthenticated client IP (IPv6 clients by their /64, see {@link #ipSubject}). */
  public static BucketKey forIp(String clientIp) {
    return new BucketKey(Kind.IP, ipSubject(clientIp));
  }

  /** The failed-authentication bucket of a client IP (IPv6 by its /64, as {@link #forIp}). */
  public static BucketKey forAuthFailure(String clientIp) {
    return new BucketKey(Kind.AUTH_FAILURE, ipSubject(clientIp));
  }

  /** The listing bucket of a key, or of the IP when there is no key. */
  public static BucketKey forListing(Optional<String> keyId, String clientIp) {
    return keyId.map(id -> new BucketKey(Kind.LISTING_KEY, id))
        .orElseGet(() -> new BucketKey(Kind.LISTING_IP, ipSubject(clientIp)));
  }

  /** The general bucket of a request: the key's if authenticated, else the IP's. */
  public static BucketKey forRequest(Optional<String> keyId, String clientIp) {
    return keyId.map(BucketKey::forKey).orElseGet(() -> forIp(clientIp));
  }

  /**
   * What an IP is limited as: an IPv4 address as is; an IPv6 address by its /64 network (e.g.
   * {@code 2001:db8:1:2::/64}), since one subscriber gets a whole /64 and could otherwise rotate through
   * addresses to escape its limit (and create millions of buckets). Text that is not an IP stays as it is.
   */
  public static String ipSubject(String clientIp) {
    if (clientIp.indexOf(':') < 0) {
      return clientIp;
    }
    Optional<java.net.InetAddress> parsed = ClientIpResolver.parseLiteral(clientIp);
    if (parsed.isEmpty() || parsed.get().getAddress().length != 16) {
      return parsed.map(java.net.InetAddress::getHostAddress).orElse(clientIp);
    }
    byte[] bytes = parsed.get().getAddress();
    StringBuilder network = new StringBuilder();
    for (int group = 0; group < 4; group++) {
      int value = ((bytes[2 * group] & 0xFF) << 8) | (bytes[2 * group + 1] & 0xFF);
      network.append(Integer.toHexString(value)).append(':');
    }
    return network.append(":/64").toString();
  }

  /** The sharding entity id, e.g. {@code key|key_3f9a...} or {@code ip|203.0.113.7}. */
  public String entityId() {
    return kind.code + "|" + subject;
  }

  /** The inverse of {@link #entityId()}. */
  public static BucketKey fromEntityId(String entityId) {
    int bar = entityId.indexOf('|');
    if (bar > 0) {
      String code = entityId.substring(0, bar);
      for (Kind kind : Kind.values()) {
        if (kind.code.equals(code)) {
          return new BucketKey(kind, entityId.substring(bar + 1));
        }
      }
    }
    throw new IllegalArgumentException("not a rate-limit bucket id: " + entityId);
  }
}
