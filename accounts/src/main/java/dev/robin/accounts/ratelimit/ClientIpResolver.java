package dev.robin.accounts.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the client IP a request is limited by: the connection's peer address, unless that peer is a configured
 * trusted proxy, in which case {@code X-Forwarded-For} is walked from the right (the hop nearest to us) past
 * trusted proxies to the first address that is not one. A spoofed left part of the header is thus never
 * believed. Pure and thread-safe; never resolves host names.
 */
public final class ClientIpResolver {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  /** More hops than any real proxy chain; bounds the work a hostile header can cause. */
  private static final int MAX_HOPS = 32;

  private final List<IpRange> trusted;

  /**
   * @param trustedProxies IP addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8})
   * @throws IllegalArgumentException naming the first entry that is neither
   */
  public ClientIpResolver(List<String> trustedProxies) {
    List<IpRange> ranges = new ArrayList<>();
    for (String entry : trustedProxies) {
      ranges.add(IpRange.parse(entry.trim()));
    }
    this.trusted = List.copyOf(ranges);
  }

  /**
   * The client IP, in canonical text form.
   *
   * @param peer the connection's remote address
   * @param forwardedFor the {@code X-Forwarded-For} values (several headers joined by commas), if any
   */
  public String resolve(InetAddress peer, Optional<String> forwardedFor) {
    InetAddress client = peer;
    if (isTrusted(peer) && forwardedFor.isPresent()) {
      String[] hops = forwardedFor.get().split(",");
      int lowest = Math.max(0, hops.length - MAX_HOPS);
      for (int i = hops.length - 1; i >= lowest; i--) {
        Optional<InetAddress> hop = parseLiteral(hops[i]);
        if (hop.isEmpty()) {
          break; // garbage: stop at the last hop we could trust
        }
        client = hop.get();
        if (!isTrusted(client)) {
          break;
        }
      }
    }
    return client.getHostAddress();
  }

  /** Whether {@code address} is a configured trusted proxy. */
  public boolean isTrusted(InetAddress address) {
    for (IpRange range : trusted) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses an IP literal as it appears in {@code X-Forwarded-For}: IPv4, IPv6, bracketed IPv6, either with a port.
   * Anything else (names, {@code unknown}, obfuscated identifiers) is empty. Never touches DNS.
   */
  static Optional<InetAddress> parseLiteral(String text) {
    String value = text.trim();
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      if (close < 0) {
        return Optional.empty();
      }
      value = value.substring(1, close);
    } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':') && value.indexOf('.') > 0) {
      value = value.substring(0, value.indexOf(':')); // IPv4 with a port
    }
    if (IPV4.matcher(value).matches()) {
      for (String octet : value.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return Optional.empty();
        }
      }
    } else if (value.indexOf(':') < 0 || !IPV6_CHARS.matcher(value).matches()) {
      return Optional.empty();
    }
    try {
      // A literal by now, so no lookup happens.
      return Optional.of(InetAddress.getByName(value));
    } catch (UnknownHostException malformed) {
      return Optional.empty();
    }
  }

  /** An address range in CIDR notation; a bare address is a range of one. */
  record IpRange(byte[] network, int prefixBits) {

    static IpRange parse(String entry) {
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress parsed = parseLiteral(address).orElseThrow(() -> new IllegalArgumentException(
          "robin.rate-limits.trusted-proxies: '" + entry + "' is not an IP address or CIDR range"));
      byte[] bytes = parsed.getAddress();
      int bits = bytes.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(entry.substring(slash + 1));
        } catch (NumberFormatException notANumber) {
          bits = -1;
        }
        if (bits < 0 || bits > bytes.length * 8) {
          throw new IllegalArgumentException("robin.rate-limits.trusted-proxies: '" + entry
              + "' has an invalid prefix length");
        }
      }
      return new IpRange(bytes, bits);
    }

    boolean contains(InetAddress address) {
      byte[] candidate = address.getAddress();
      if (candidate.length != network.length) {
        return false;
      }
      int fullBytes = prefixBits / 8;
      for (int i = 0; i < fullBytes; i++) {
        if (candidate[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest);
      return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }
  }
}
