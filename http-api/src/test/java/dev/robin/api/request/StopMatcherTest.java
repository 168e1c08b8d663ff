package dev.robin.api.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {

  @Test
  void withoutStopsEverythingPassesAtOnce() {
    StopMatcher m = new StopMatcher(List.of());
    assertEquals("abc", m.push("abc").emit());
  }

  @Test
  void holdsBackAPossibleStartAndReleasesItWhenItIsNot() {
    StopMatcher m = new StopMatcher(List.of("END"));
    assertEquals("Hello ", m.push("Hello E").emit());
    assertEquals("", m.push("N").emit());
    StopMatcher.Result r = m.push("X");
    assertFalse(r.stopped());
    assertEquals("ENX", r.emit());
  }

  @Test
  void matchAcrossThreePiecesCutsTheStopAndWhatFollows() {
    StopMatcher m = new StopMatcher(List.of("xyz", "d! T"));
    assertEquals("Hello worl", m.push("Hello world").emit());
    assertEquals("", m.push("!").emit());
    StopMatcher.Result r = m.push(" The end");
    assertTrue(r.stopped());
    assertEquals("", r.emit());
  }

  @Test
  void earliestOfSeveralStopsWins() {
    StopMatcher m = new StopMatcher(List.of("cd", "b"));
    StopMatcher.Result r = m.push("abcd");
    assertTrue(r.stopped());
    assertEquals("a", r.emit());
  }

  @Test
  void flushReleasesHeldText() {
    StopMatcher m = new StopMatcher(List.of("###"));
    assertEquals("a", m.push("a##").emit());
    assertEquals("##", m.flush());
  }

  @Test
  void overlappingPrefixKeepsTheLongestCandidate() {
    StopMatcher m = new StopMatcher(List.of("aab"));
    assertEquals("", m.push("a").emit());
    assertEquals("", m.push("a").emit());
    assertEquals("a", m.push("a").emit()); // "aaa": only "aa" can still start "aab"
    StopMatcher.Result r = m.push("b");
    assertTrue(r.stopped());
    assertEquals("", r.emit());
  }
}
