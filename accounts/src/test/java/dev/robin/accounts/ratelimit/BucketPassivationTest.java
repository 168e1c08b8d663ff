package dev.robin.accounts.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * Idle buckets leave memory: an entity stops once its bucket is full again, and not before. Uses a short listing
 * window so the passivation timer fires within a second of real time; the bucket's own time is the manual clock.
 */
class BucketPassivationTest extends ShardedLimiterTest {

  @Override
  Duration listingWindow() {
    return Duration.ofMillis(60);
  }

  @Test
  void aFullBucketPassivatesWhileARefillingOneStays() throws Exception {
    BucketKey refilled = BucketKey.forListing(Optional.empty(), "198.51.100.1");
    BucketKey refilling = BucketKey.forIp("198.51.100.2");
    assertTrue(limiter.acquire(refilled).toCompletableFuture().get(10, TimeUnit.SECONDS).allowed());
    assertTrue(limiter.acquire(refilling).toCompletableFuture().get(10, TimeUnit.SECONDS).allowed());
    assertTrue(activeEntities().containsAll(Set.of(refilled.entityId(), refilling.entityId())));

    // One second of bucket time: the 60 ms listing bucket is full again, the 15 min IP bucket is not.
    clock.advance(Duration.ofSeconds(1));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
      if (activeEntities().contains(refilled.entityId())) {
        throw new AssertionError("the full bucket is still active");
      }
      return null;
    });
    assertTrue(activeEntities().contains(refilling.entityId()), "a refilling bucket must keep its state");
    assertEquals(59, limiter.acquire(refilled).toCompletableFuture().get(10, TimeUnit.SECONDS).remaining(),
        "a bucket started again after passivation is full");
  }

  private Set<String> activeEntities() {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system()).shardState()
        .tell(new GetShardRegionState(BucketEntity.TYPE_KEY, probe.ref()));
    Set<String> ids = new HashSet<>();
    for (ShardRegion.ShardState shard : probe.receiveMessage(Duration.ofSeconds(5)).getShards()) {
      ids.addAll(shard.getEntityIds());
    }
    return ids;
  }
}
