package dev.robin.accounts.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP layer asks before serving a request: {@link #acquire(BucketKey)} takes a token from the bucket's
 * sharded entity, wherever in the cluster it lives. Requires an actor system with {@code pekko.actor.provider =
 * cluster} that has joined a cluster (a single node joins itself). Thread-safe.
 *
 * <p>While any cluster member is unreachable, a bucket may live on the lost node, and asking it would cost every
 * request the ask timeout: the limiter then answers at once from this node's own bucket for the key
 * ({@link LocalBuckets}), as it also does when a sharded bucket does not answer in time. The tolerance while a node
 * is lost: each node counts a key's requests on its own, so a client spreading requests over N nodes may get up to
 * N times its limit within a window, and tokens spent in the sharded bucket before the loss are not counted again.
 */
public final class RateLimiter {

  private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
  private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final ClusterSharding sharding;
  private final RateLimitSettings settings;
  private final LocalBuckets local;
  private final BooleanSupplier memberUnreachable;
  private final AtomicLong lastFailureLogNanos = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS);

  private RateLimiter(
      ClusterSharding sharding, RateLimitSettings settings, LongSupplier nanoClock, BooleanSupplier memberUnreachable) {
    this.sharding = sharding;
    this.settings = settings;
    this.local = new LocalBuckets(settings, nanoClock);
    this.memberUnreachable = memberUnreachable;
  }

  /** Starts the bucket entities' sharding on this node, timed by {@link System#nanoTime()}. */
  public static RateLimiter start(ActorSystem<?> system, RateLimitSettings settings) {
    return start(system, settings, System::nanoTime);
  }

  /** Starts the bucket entities' sharding on this node with an injected clock (tests). */
  public static RateLimiter start(ActorSystem<?> system, RateLimitSettings settings, LongSupplier nanoClock) {
    Cluster cluster = Cluster.get(system);
    return start(system, settings, nanoClock, () -> !cluster.state().getUnreachable().isEmpty());
  }

  /** As above, with an injected test of whether some cluster member is unreachable now (tests). */
  static RateLimiter start(
      ActorSystem<?> system, RateLimitSettings settings, LongSupplier nanoClock, BooleanSupplier memberUnreachable) {
    ClusterShardingSettings base = ClusterShardingSettings.create(system);
    // Buckets passivate themselves once full; the idle timeout is only a backstop and must not forget a bucket
    // that is still refilling. The entity limit bounds memory under a flood of distinct IPs.
    ClusterShardingSettings shardingSettings = base.withPassivationStrategy(base.passivationStrategySettings()
        .withIdleEntityPassivation(settings.longestWindow().plusMinutes(1))
        .withActiveEntityLimit(settings.maxActiveBuckets()));
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(BucketEntity.TYPE_KEY, context -> BucketEntity.create(
            settings.limitFor(BucketKey.fromEntityId(context.getEntityId()).kind()), nanoClock, context.getShard()))
        .withSettings(shardingSettings));
    return new RateLimiter(sharding, settings, nanoClock, memberUnreachable);
  }

  public RateLimitSettings settings() {
    return settings;
  }

  /**
   * Takes a token from {@code key}'s bucket. Never fails: if limiting is disabled the request is allowed unmetered;
   * while a cluster member is unreachable, or when the sharded bucket does not answer within {@code ask-timeout},
   * this node's own bucket for the key decides.
   */
  public CompletionStage<RateDecision> acquire(BucketKey key) {
    long limit = settings.limitFor(key.kind()).requests();
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(RateDecision.unmetered(limit));
    }
    if (memberUnreachable.getAsBoolean()) {
      return CompletableFuture.completedFuture(local.tryAcquire(key));
    }
    EntityRef<BucketEntity.Command> bucket = sharding.entityRefFor(BucketEntity.TYPE_KEY, key.entityId());
    return bucket.<RateDecision>ask(BucketEntity.Acquire::new, settings.askTimeout())
        .exceptionally(failure -> {
          logFailure(key, failure);
          return local.tryAcquire(key);
        });
  }

  private void logFailure(BucketKey key, Throwable failure) {
    long now = System.nanoTime();
    long last = lastFailureLogNanos.get();
    if (now - last >= FAILURE_LOG_INTERVAL_NANOS && lastFailureLogNanos.compareAndSet(last, now)) {
      log.warn("Rate-limit bucket {} did not answer; this node's own bucket decides: {}", key.kind(),
          failure.toString());
    }
  }
}
