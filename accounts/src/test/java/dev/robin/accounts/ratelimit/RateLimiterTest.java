package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The contract's limits through the sharded bucket entities on a one-node cluster, with an injected clock: no
 * test sleeps. Each test uses its own IPs and keys, so buckets never carry over between tests.
 */
class RateLimiterTest extends ShardedLimiterTest {

  @Override
  Duration listingWindow() {
    return Duration.ofMinutes(1);
  }

  private RateDecision acquire(BucketKey key) throws Exception {
    return limiter.acquire(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void the151stRequestFromOneIpIsDeniedWhileAnotherIpIsServed() throws Exception {
    BucketKey busy = BucketKey.forIp("203.0.113.1");
    for (int i = 1; i <= 150; i++) {
      RateDecision decision = acquire(busy);
      assertTrue(decision.allowed(), "request " + i);
      assertEquals(150 - i, decision.remaining());
    }
    RateDecision denied = acquire(busy);
    assertFalse(denied.allowed());
    assertEquals(150, denied.limit());
    assertEquals(Duration.ofSeconds(6), denied.retryAfter());

    RateDecision other = acquire(BucketKey.forIp("203.0.113.2"));
    assertTrue(other.allowed());
    assertEquals(149, other.remaining());
  }

  @Test
  void the501stRequestWithAKeyIsDenied() throws Exception {
    BucketKey key = BucketKey.forRequest(Optional.of("key_limit_test"), "203.0.113.3");
    assertEquals(BucketKey.Kind.KEY, key.kind());
    for (int i = 1; i <= 500; i++) {
      assertTrue(acquire(key).allowed(), "request " + i);
    }
    RateDecision denied = acquire(key);
    assertFalse(denied.allowed());
    assertEquals(500, denied.limit());
    assertEquals(Duration.ofMillis(1800), denied.retryAfter());
    assertTrue(acquire(BucketKey.forIp("203.0.113.3")).allowed(), "the key's IP has its own bucket");
  }

  @Test
  void the61stListingIsDeniedWhileTheGeneralBucketIsUnaffected() throws Exception {
    BucketKey listing = BucketKey.forListing(Optional.empty(), "203.0.113.4");
    BucketKey general = BucketKey.forRequest(Optional.empty(), "203.0.113.4");
    for (int i = 1; i <= 60; i++) {
      assertTrue(acquire(listing).allowed(), "listing " + i);
    }
    RateDecision denied = acquire(listing);
    assertFalse(denied.allowed());
    assertEquals(60, denied.limit());
    assertEquals(Duration.ofSeconds(1), denied.retryAfter());

    RateDecision generalDecision = acquire(general);
    assertTrue(generalDecision.allowed());
    assertEquals(149, generalDecision.remaining(), "listing did not draw from the general bucket");
    assertTrue(acquire(BucketKey.forListing(Optional.of("key_lister"), "203.0.113.4")).allowed(),
        "a key's listing bucket is apart from its IP's");
  }

  @Test
  void aDeniedBucketRefillsAtTheConfiguredRate() throws Exception {
    BucketKey key = BucketKey.forIp("203.0.113.5");
    for (int i = 0; i < 150; i++) {
      acquire(key);
    }
    assertFalse(acquire(key).allowed());
    clock.advance(Duration.ofSeconds(5));
    assertFalse(acquire(key).allowed(), "5 s refill less than one token");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(acquire(key).allowed(), "6 s refill exactly one token");
    assertFalse(acquire(key).allowed());
    clock.advance(Duration.ofMinutes(15));
    RateDecision full = acquire(key);
    assertTrue(full.allowed());
    assertEquals(149, full.remaining(), "15 minutes refill the whole bucket");
  }

  @Test
  void whileAMemberIsUnreachableThisNodesOwnBucketDecidesAtOnce() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean unreachable = new java.util.concurrent.atomic.AtomicBoolean(true);
    RateLimiter degraded = RateLimiter.start(testKit.system(), settings, clock, unreachable::get);
    BucketKey key = BucketKey.forIp("203.0.113.77");
    for (int i = 0; i < 150; i++) {
      RateDecision decision = degraded.acquire(key).toCompletableFuture().getNow(null);
      assertTrue(decision != null && decision.allowed(), "answered at once, within the limit: request " + (i + 1));
    }
    RateDecision refused = degraded.acquire(key).toCompletableFuture().getNow(null);
    assertTrue(refused != null && !refused.allowed(), "the limit holds on this node's own bucket");
    assertEquals(150, refused.limit());
    // Once every member is reachable again, the key's sharded bucket decides: it was never asked, so it is full.
    unreachable.set(false);
    RateDecision sharded = degraded.acquire(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(sharded.allowed());
    assertEquals(149, sharded.remaining());
  }

  @Test
  void aDisabledLimiterLetsEverythingThrough() throws Exception {
    RateLimitSettings off = new RateLimitSettings(false, settings.unauthenticated(), settings.authenticated(),
        settings.listing(), List.of(), Duration.ofSeconds(1), 10);
    RateLimiter disabled = RateLimiter.start(testKit.system(), off, clock);
    BucketKey key = BucketKey.forIp("203.0.113.6");
    for (int i = 0; i < 200; i++) {
      RateDecision decision = disabled.acquire(key).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(decision.allowed());
      assertEquals(150, decision.limit());
    }
  }

  @Test
  void requestsAndDecisionsSerializeForOtherNodes() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    TestProbe<RateDecision> probe = testKit.createTestProbe();
    serialization.verifySerialization(new BucketEntity.Acquire(probe.ref()), true);
    serialization.verifySerialization(new RateDecision(false, 150, 0, Duration.ofMinutes(15), Duration.ofSeconds(6)),
        true);
  }

  @Test
  void ipv6ClientsShareTheBucketOfTheirSlash64() throws Exception {
    assertEquals("2001:db8:1:2::/64", BucketKey.ipSubject("2001:db8:1:2:0:0:0:1"));
    assertEquals("203.0.113.7", BucketKey.ipSubject("203.0.113.7"));
    assertEquals(BucketKey.forIp("2001:db8:1:2::1"), BucketKey.forIp("2001:db8:1:2:ffff::9"));
    assertEquals(149, acquire(BucketKey.forIp("2001:db8:7:7::1")).remaining());
    assertEquals(148, acquire(BucketKey.forIp("2001:db8:7:7:abcd::2")).remaining(), "same /64, same bucket");
    assertEquals(149, acquire(BucketKey.forIp("2001:db8:7:8::1")).remaining(), "another /64");
  }

  @Test
  void bucketKeysRoundTripThroughEntityIds() {
    for (BucketKey key : List.of(BucketKey.forIp("2001:db8:0:0:0:0:0:1"), BucketKey.forKey("key_abc"),
        BucketKey.forListing(Optional.empty(), "10.0.0.1"), BucketKey.forListing(Optional.of("key_x"), "10.0.0.1"))) {
      assertEquals(key, BucketKey.fromEntityId(key.entityId()));
    }
  }
}
