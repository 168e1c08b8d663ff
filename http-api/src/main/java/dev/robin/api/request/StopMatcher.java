package dev.robin.api.request;

import java.util.List;

/**
 * Finds stop strings in text that arrives piece by piece. Text that could be the beginning of a stop string
 * is held back until it is known not to be one, so a stop string split across tokens is still caught and
 * never reaches the client.
 */
final class StopMatcher {

  /** Text safe to send now, and whether a stop string ended the sequence (nothing after it is sent). */
  record Result(String emit, boolean stopped) {}

  private final List<String> stops;
  private final StringBuilder held = new StringBuilder();

  StopMatcher(List<String> stops) {
    this.stops = List.copyOf(stops);
  }

  Result push(String text) {
    if (stops.isEmpty()) {
      return new Result(text, false);
    }
    held.append(text);
    // A match must end in the new text: everything before the held part was checked already.
    int first = -1;
    for (String stop : stops) {
      int at = held.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    if (first >= 0) {
      String emit = held.substring(0, first);
      held.setLength(0);
      return new Result(emit, true);
    }
    int keep = longestSuffixThatStartsAStop();
    String emit = held.substring(0, held.length() - keep);
    held.delete(0, held.length() - keep);
    return new Result(emit, false);
  }

  /** At the end of the sequence the held text is ordinary text. */
  String flush() {
    String rest = held.toString();
    held.setLength(0);
    return rest;
  }

  private int longestSuffixThatStartsAStop() {
    int best = 0;
    for (String stop : stops) {
      int max = Math.min(stop.length() - 1, held.length());
      for (int len = max; len > best; len--) {
        if (held.indexOf(stop.substring(0, len), held.length() - len) == held.length() - len) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
