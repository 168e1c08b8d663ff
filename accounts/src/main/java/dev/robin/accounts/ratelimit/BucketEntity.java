package dev.robin.accounts.ratelimit;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One rate-limit bucket as a cluster-sharding entity: exactly one per key or IP in the whole cluster, so a limit
 * holds across every node. The entity passivates itself once its bucket is full again, since a new incarnation
 * starts full and nothing is lost; idle clients therefore cost no memory.
 */
public final class BucketEntity extends AbstractBehavior<BucketEntity.Command> {

  /** The sharding type of bucket entities. */
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "robin-rate-bucket");

  /** Messages of a bucket. */
  public sealed interface Command {}

  /** Take one token; the decision goes to {@code replyTo}. */
  public record Acquire(ActorRef<RateDecision> replyTo) implements Command, RateLimitMessage {}

  /** The bucket's own timer: never leaves its node. */
  private enum PassivateIfFull implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Slack past the computed refill time, so the check does not land a hair before the bucket is full. */
  private static final Duration PASSIVATION_SLACK = Duration.ofSeconds(1);

  private final TokenBucket bucket;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;

  private BucketEntity(ActorContext<Command> context, TimerScheduler<Command> timers, TokenBucket bucket,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(context);
    this.timers = timers;
    this.bucket = bucket;
    this.shard = shard;
  }

  /** A bucket entity with {@code limit}, timed by {@code nanoClock}, passivating through {@code shard}. */
  public static Behavior<Command> create(RateLimitSettings.Limit limit, LongSupplier nanoClock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new BucketEntity(context, timers,
        new TokenBucket(limit.requests(), limit.window(), nanoClock), shard)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Acquire.class, this::onAcquire)
        .onMessageEquals(PassivateIfFull.INSTANCE, this::onPassivateIfFull)
        .build();
  }

  private Behavior<Command> onAcquire(Acquire acquire) {
    RateDecision decision = bucket.tryAcquire();
    acquire.replyTo().tell(decision);
    timers.startSingleTimer(PassivateIfFull.INSTANCE, decision.resetAfter().plus(PASSIVATION_SLACK));
    return this;
  }

  private Behavior<Command> onPassivateIfFull() {
    if (bucket.isFull()) {
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    } else {
      timers.startSingleTimer(PassivateIfFull.INSTANCE, bucket.timeUntilFull().plus(PASSIVATION_SLACK));
    }
    return this;
  }
}
