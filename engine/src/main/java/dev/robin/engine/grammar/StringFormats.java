package dev.robin.engine.grammar;

import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON Schema {@code format}s a string can be constrained to, as regular expressions over characters. Each
 * is a subset of what the format allows (RFC 3339 dates with the right days per month and leap years, upper-case
 * {@code T} and {@code Z}, seconds 00..59, offsets within ±18:00; a conservative dot-atom e-mail address; canonical IPv4; common top-level domains), so every
 * generated string is valid under a strict validator.
 */
final class StringFormats {

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final String DATE = "([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
      + "|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))"
      + "|([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29)";
  // Offsets within ±18:00, the range java.time (and so Java validators) accepts.
  private static final String TIME =
      "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)";
  private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?";
  private static final String HOSTNAME = "(" + LABEL + "\\.){0,3}" + LABEL;
  private static final String TLD = "(com|org|net|edu|gov|io|dev|info|de|fr|uk|jp|cn|in|br|it|es|nl|ch|se)";
  private static final String HEX4 = "[0-9a-fA-F]{1,4}";

  private static final Map<String, String> FORMATS = new TreeMap<>(Map.of(
      "date", DATE,
      "time", TIME,
      "date-time", DATE + "T" + TIME,
      "uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
      // Local part at most 64 characters (RFC 5321), at most 3 labels and a real top-level domain (validators
      // such as commons-validator's check it against IANA's list).
      "email", "[A-Za-z0-9_+-]{1,20}(\\.[A-Za-z0-9_+-]{1,20}){0,2}@(" + LABEL + "\\.){1,3}" + TLD,
      "ipv4", OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET,
      "ipv6", HEX4 + "(:" + HEX4 + "){7}",
      "hostname", HOSTNAME,
      "uri", "https?://" + HOSTNAME + "(/[A-Za-z0-9._~-]{1,32}){0,4}"));

  private StringFormats() {}

  /** The regular expression of a format, or null if it is not supported. */
  static String regex(String format) {
    return FORMATS.get(format);
  }

  static String supported() {
    return String.join(", ", FORMATS.keySet());
  }
}
