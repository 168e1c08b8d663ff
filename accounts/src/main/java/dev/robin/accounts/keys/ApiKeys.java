package dev.robin.accounts.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The API key format: {@code rk-} followed by 256 random bits from {@link SecureRandom} in URL-safe base64
 * (43 characters). Only the SHA-256 of a key is ever stored or compared.
 */
public final class ApiKeys {

  /** Every Robin key starts with this. */
  public static final String PREFIX = "rk-";
  /** Random bytes in a key: 256 bits, above the 192 required. */
  static final int SECRET_BYTES = 32;
  /** Characters of the plaintext kept for display ("rk-" and five more). */
  static final int DISPLAY_PREFIX_LENGTH = 8;

  private static final int MIN_LENGTH = PREFIX.length() + 16;
  private static final int MAX_LENGTH = PREFIX.length() + 128;

  private ApiKeys() {}

  /** A new plaintext key. */
  static String newKey(SecureRandom random) {
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** A new public key id, e.g. {@code key_3f9a...} (96 random bits, hex). */
  static String newId(SecureRandom random) {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return "key_" + HexFormat.of().formatHex(id);
  }

  /**
   * Whether {@code presented} has the shape of a Robin key. Anything else is refused without touching the cache or
   * the store, so garbage cannot fill either.
   */
  public static boolean isWellFormed(String presented) {
    if (presented == null || presented.length() < MIN_LENGTH || presented.length() > MAX_LENGTH
        || !presented.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < presented.length(); i++) {
      char c = presented.charAt(i);
      boolean urlSafe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
          || c == '_';
      if (!urlSafe) {
        return false;
      }
    }
    return true;
  }

  /** Lowercase hex SHA-256 of the key's UTF-8 bytes. */
  public static String hash(String plaintext) {
    return HexFormat.of().formatHex(sha256(plaintext));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("every Java runtime has SHA-256", impossible);
    }
  }

  /** The part of a key shown to its owner in listings, e.g. {@code rk-AbCdE}. */
  static String displayPrefix(String plaintext) {
    return plaintext.substring(0, Math.min(DISPLAY_PREFIX_LENGTH, plaintext.length()));
  }

  /**
   * A presented key as an error message may show it: its first and last 4 characters (the contract's 401
   * message), or {@code ****} when it is too short for that to hide most of it.
   */
  public static String redact(String presented) {
    if (presented == null || presented.length() < 12) {
      return "****";
    }
    return presented.substring(0, 4) + "..." + presented.substring(presented.length() - 4);
  }
}
