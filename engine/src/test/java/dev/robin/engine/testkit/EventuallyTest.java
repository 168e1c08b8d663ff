package dev.robin.engine.testkit;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {

  @Test
  void retriesUntilTheAssertionPasses() {
    AtomicInteger tries = new AtomicInteger();
    eventually(Duration.ofSeconds(5), () -> assertEquals(3, tries.incrementAndGet()));
    assertEquals(3, tries.get());
  }

  @Test
  void aTimeoutFailsWithTheLastAssertionError() {
    AtomicInteger tries = new AtomicInteger();
    long start = System.nanoTime();
    AssertionError e = assertThrows(AssertionError.class,
        () -> eventually(Duration.ofMillis(200), () -> assertEquals(-1, tries.incrementAndGet(), "try")));
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());
    String last = "try ==> expected: <-1> but was: <" + tries.get() + ">";
    assertTrue(e.getMessage().contains(last), e.getMessage());
    assertTrue(e.getCause() instanceof AssertionError && e.getCause().getMessage().equals(last), e.toString());
  }

  @Test
  void anotherExceptionFailsAtOnce() {
    IllegalStateException broken = new IllegalStateException("broken");
    AtomicInteger tries = new AtomicInteger();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> eventually(Duration.ofSeconds(30), () -> {
      tries.incrementAndGet();
      throw broken;
    }));
    assertSame(broken, e);
    assertEquals(1, tries.get());
  }
}
