package dev.robin.bench.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  private static List<SseEvent> parse(String... lines) {
    SseParser p = new SseParser();
    List<SseEvent> events = new ArrayList<>();
    long t = 100;
    for (String line : lines) {
      p.accept(line, t++).ifPresent(events::add);
    }
    p.finish().ifPresent(events::add);
    return events;
  }

  @Test
  void blankLineDispatchesEventStampedWithItsFirstDataLine() {
    List<SseEvent> events = parse("data: {\"a\":1}", "", "data: [DONE]", "");
    assertEquals(2, events.size());
    assertEquals("{\"a\":1}", events.get(0).data());
    assertEquals(100, events.get(0).receivedNanos());
    assertEquals(102, events.get(1).receivedNanos());
    assertTrue(events.get(1).isDone());
  }

  @Test
  void multipleDataLinesJoinWithNewlinesAndOneLeadingSpaceIsDropped() {
    List<SseEvent> events = parse("data:first", "data:  second", "");
    assertEquals(List.of("first\n second"), events.stream().map(SseEvent::data).toList());
  }

  @Test
  void commentsOtherFieldsAndBlankLinesWithoutDataProduceNothing() {
    List<SseEvent> events = parse(": keep-alive", "", "event: message", "id: 7", "retry: 10", "", "");
    assertTrue(events.isEmpty());
  }

  @Test
  void eventWithoutTrailingBlankLineIsDeliveredAtEnd() {
    List<SseEvent> events = parse("data: [DONE]");
    assertEquals(1, events.size());
    assertTrue(events.get(0).isDone());
  }

  @Test
  void fieldWithoutColonIsAnEmptyDataLine() {
    List<SseEvent> events = parse("data", "");
    assertEquals(List.of(""), events.stream().map(SseEvent::data).toList());
  }
}
