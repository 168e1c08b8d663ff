package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Stream measurements with a scripted clock: each line read takes the next time stamp. */
class StreamReaderTest {

  private static String chunk(String text) {
    return "data: {\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text
        + "\",\"finish_reason\":null}],\"usage\":null}";
  }

  /** Stamps every line with the next of {@code times}; the final stamp (end of stream) comes last. */
  private static RequestResult read(List<String> lines, long... times) {
    Deque<Long> clock = new ArrayDeque<>();
    for (long t : times) {
      clock.add(t);
    }
    LongSupplier supplier = () -> clock.isEmpty() ? 999_999 : clock.poll();
    return new StreamReader(supplier).read(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), 1_000);
  }

  @Test
  void ttftItlAndUsageTokensAreMeasured() {
    RequestResult r = read(
        List.of(
            ": keep-alive", "",
            chunk("Once"), "",
            chunk(" upon"), "",
            chunk(" a"), "",
            "data: {\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}", "",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}", "",
            "data: [DONE]", ""),
        // keep-alive 2 lines, each chunk line + blank line, finish 2, usage 2, DONE 2, then the end stamp.
        1_100, 1_100, 5_000, 5_001, 7_000, 7_001, 10_000, 10_001, 10_500, 10_501, 10_600, 10_601, 10_700, 10_701,
        10_900);
    assertNull(r.error());
    assertEquals(4_000, r.ttftNanos());
    assertArrayEquals(new long[] {2_000, 3_000}, r.interTokenNanos());
    assertEquals(3, r.numContentChunks());
    assertEquals(4, r.completionTokens(), "usage wins over the chunk count (a chunk may hold two tokens)");
    assertEquals(3, r.usagePromptTokens());
    assertEquals("length", r.finishReason());
    assertEquals(9_900, r.latencyNanos());
  }

  @Test
  void withoutUsageTheChunksAreCounted() {
    RequestResult r = read(List.of(chunk("a"), "", chunk("b"), "", "data: [DONE]", ""), 10, 11, 20, 21, 30, 31, 40);
    assertEquals(2, r.completionTokens());
    assertTrue(r.succeeded());
  }

  @Test
  void streamWithoutDoneIsAFailure() {
    RequestResult r = read(List.of(chunk("a"), ""), 10, 11, 12);
    assertTrue(r.error().contains("[DONE]"));
  }

  @Test
  void errorEventFailsTheRequest() {
    RequestResult r = read(
        List.of(chunk("a"), "", "data: {\"error\":{\"message\":\"boom\"}}", "", "data: [DONE]", ""), 1, 2, 3, 4, 5, 6, 7);
    assertTrue(r.error().contains("boom"));
    assertEquals(1, r.numContentChunks());
  }

  @Test
  void garbageEventFailsTheRequest() {
    RequestResult r = read(List.of("data: not json", "", "data: [DONE]", ""), 1, 2, 3, 4, 5);
    assertTrue(r.error().contains("not JSON"));
  }
}
