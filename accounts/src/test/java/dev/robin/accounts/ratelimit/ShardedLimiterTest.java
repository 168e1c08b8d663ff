package dev.robin.accounts.ratelimit;

import dev.robin.accounts.testing.SingleNodeCluster;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A {@link RateLimiter} over the sharded bucket entities of a one-node cluster, on a manual clock, with the
 * contract's limits; each test class chooses the model-listing window (a short one lets passivation timers
 * fire in real time).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ShardedLimiterTest {

  final ManualClock clock = new ManualClock();
  RateLimitSettings settings;
  ActorTestKit testKit;
  RateLimiter limiter;

  /** The window of the 60-request model-listing limit. */
  abstract Duration listingWindow();

  @BeforeAll
  void startCluster() {
    settings = new RateLimitSettings(true,
        new RateLimitSettings.Limit(150, Duration.ofMinutes(15)),
        new RateLimitSettings.Limit(500, Duration.ofMinutes(15)),
        new RateLimitSettings.Limit(60, listingWindow()),
        List.of(), Duration.ofSeconds(10), 100_000);
    testKit = SingleNodeCluster.start(getClass().getSimpleName());
    limiter = RateLimiter.start(testKit.system(), settings, clock);
  }

  @AfterAll
  void stopCluster() {
    testKit.shutdownTestKit();
  }
}
