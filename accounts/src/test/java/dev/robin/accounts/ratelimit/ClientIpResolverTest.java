package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientIpResolverTest {

  private final ClientIpResolver resolver = new ClientIpResolver(List.of("10.0.0.0/8", "192.168.1.1", "fd00::/8"));

  private static InetAddress ip(String literal) {
    return ClientIpResolver.parseLiteral(literal).orElseThrow();
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItForwards() {
    assertEquals("203.0.113.9", resolver.resolve(ip("203.0.113.9"), Optional.of("1.2.3.4")));
    assertEquals("203.0.113.9", resolver.resolve(ip("203.0.113.9"), Optional.empty()));
  }

  @Test
  void aTrustedProxysForwardedForIsWalkedFromTheRightPastTrustedHops() {
    assertEquals("198.51.100.7", resolver.resolve(ip("10.1.2.3"), Optional.of("198.51.100.7")));
    // The leftmost entry is whatever the client claimed: only the hop our proxies saw counts.
    assertEquals("198.51.100.7",
        resolver.resolve(ip("10.1.2.3"), Optional.of("6.6.6.6, 198.51.100.7, 192.168.1.1, 10.9.9.9")));
    assertEquals("10.0.0.1", resolver.resolve(ip("10.1.2.3"), Optional.of("10.0.0.1")), "all trusted: leftmost");
    assertEquals("10.1.2.3", resolver.resolve(ip("10.1.2.3"), Optional.empty()));
  }

  @Test
  void garbageStopsTheWalkAtTheLastTrustedHop() {
    assertEquals("10.0.0.7", resolver.resolve(ip("10.1.2.3"), Optional.of("1.2.3.4, not-an-ip, 10.0.0.7")));
    assertEquals("10.1.2.3", resolver.resolve(ip("10.1.2.3"), Optional.of("evil.example.com")), "no DNS lookups");
    assertEquals("10.1.2.3", resolver.resolve(ip("10.1.2.3"), Optional.of("999.1.1.1")));
  }

  @Test
  void understandsPortsBracketsAndIpv6() {
    assertEquals("198.51.100.7", resolver.resolve(ip("10.1.2.3"), Optional.of("198.51.100.7:4711")));
    assertEquals("2001:db8:0:0:0:0:0:1", resolver.resolve(ip("fd12::1"), Optional.of("[2001:db8::1]:443")));
    assertEquals("2001:db8:0:0:0:0:0:1", resolver.resolve(ip("fd12::1"), Optional.of("2001:db8::1")));
    assertTrue(resolver.isTrusted(ip("::ffff:10.2.3.4")), "IPv4-mapped IPv6 is the IPv4 address");
  }

  @Test
  void rejectsMisconfiguredProxies() {
    assertThrows(IllegalArgumentException.class, () -> new ClientIpResolver(List.of("proxy.internal")));
    assertThrows(IllegalArgumentException.class, () -> new ClientIpResolver(List.of("10.0.0.0/33")));
  }
}
