package dev.robin.bench;

import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/** Runs a benchmark command so that failures a user can act on print one line, not a stack trace. */
final class ActionableFailures {

  private ActionableFailures() {}

  /**
   * Runs {@code body}; a server that did not start, a bad URL or option, or a missing runner ends as
   * {@code "<label>: <message>"} on stderr and exit status 1.
   */
  static Integer run(String label, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (IllegalStateException | IllegalArgumentException | UnsupportedOperationException
        | UncheckedIOException e) {
      System.err.println(label + ": " + e.getMessage());
      return 1;
    }
  }
}
