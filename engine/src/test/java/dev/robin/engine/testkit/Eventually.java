package dev.robin.engine.testkit;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.ThrowingRunnable;

/**
 * Waiting for something another thread (an actor, a server, a child process) makes true: the test kit's one
 * way, on Awaitility. The assertion is retried until it passes; an {@link AssertionError} means "not yet", any
 * other exception fails at once. After the timeout the test fails with the last assertion error.
 *
 * <p>The assertion runs on the calling thread, first at once, then every {@link #POLL_INTERVAL}; uncaught
 * exceptions of other threads are left to whoever owns them.
 */
public final class Eventually {

  /** The timeout of {@link #eventually(ThrowingRunnable)}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** How often the assertion is tried again. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  private Eventually() {}

  /** Retries {@code assertion} until it passes, for at most {@link #DEFAULT_TIMEOUT}. */
  public static void eventually(ThrowingRunnable assertion) {
    eventually(DEFAULT_TIMEOUT, assertion);
  }

  /** Retries {@code assertion} until it passes, for at most {@code timeout}. */
  public static void eventually(Duration timeout, ThrowingRunnable assertion) {
    eventually(timeout, POLL_INTERVAL, assertion);
  }

  /** Retries {@code assertion} every {@code pollInterval} until it passes, for at most {@code timeout}. */
  public static void eventually(Duration timeout, Duration pollInterval, ThrowingRunnable assertion) {
    try {
      Awaitility.await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(pollInterval)
          .pollInSameThread()
          .dontCatchUncaughtExceptions()
          .untilAsserted(assertion);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage(), e.getCause() != null ? e.getCause() : e);
    }
  }
}
