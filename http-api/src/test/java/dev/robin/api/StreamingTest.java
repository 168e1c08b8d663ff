package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The SSE wire format of chat and text completion streams, chunk by chunk. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingTest {

  private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer("robin.server.sse-keep-alive = 100ms");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void chatStream() {
    HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\":\"fake\",\"stream\":true," + HI + "}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    assertTrue(r.headers().firstValue("x-request-id").isPresent());
    List<JsonNode> events = TestServer.sseEvents(r.body());
    assertSameHeader(events, "chat.completion.chunk");
    for (JsonNode e : events) {
      assertFalse(e.has("usage"), "usage only with include_usage: " + e);
    }
    JsonNode first = events.get(0).get("choices").get(0);
    assertEquals("assistant", first.get("delta").get("role").asText());
    assertEquals("", first.get("delta").get("content").asText());
    assertTrue(first.get("finish_reason").isNull());
    StringBuilder text = new StringBuilder();
    for (JsonNode e : events.subList(1, events.size() - 1)) {
      JsonNode c = e.get("choices").get(0);
      assertFalse(c.get("delta").has("role"));
      assertTrue(c.get("finish_reason").isNull());
      text.append(c.get("delta").get("content").asText());
    }
    assertEquals(TestServer.SCRIPT_TEXT, text.toString());
    assertTrue(events.size() > 3, "one chunk per token");
    JsonNode last = events.get(events.size() - 1).get("choices").get(0);
    assertEquals(0, last.get("delta").size());
    assertEquals("stop", last.get("finish_reason").asText());
  }

  @Test
  void chatStreamWithUsage() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":3," + HI + "}")
        .body());
    JsonNode usageChunk = events.get(events.size() - 1);
    assertEquals(0, usageChunk.get("choices").size());
    assertEquals(3, usageChunk.get("usage").get("completion_tokens").asInt());
    assertTrue(usageChunk.get("usage").get("prompt_tokens").asInt() > 0);
    assertEquals(0, usageChunk.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt());
    for (JsonNode e : events.subList(0, events.size() - 1)) {
      assertTrue(e.get("usage").isNull(), "earlier chunks carry usage:null: " + e);
    }
    assertEquals("length", events.get(events.size() - 2).get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void nChoicesStreamInterleaved() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"stream\":true,\"n\":2," + HI + "}").body());
    StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
    Set<Integer> roles = new HashSet<>();
    Set<Integer> finished = new HashSet<>();
    for (JsonNode e : events) {
      assertEquals(1, e.get("choices").size());
      JsonNode c = e.get("choices").get(0);
      int index = c.get("index").asInt();
      if (c.get("delta").has("role")) {
        assertTrue(roles.add(index));
        assertFalse(finished.contains(index));
      } else if (!c.get("finish_reason").isNull()) {
        assertTrue(roles.contains(index));
        assertTrue(finished.add(index));
      } else {
        assertTrue(roles.contains(index), "role chunk comes first");
        texts[index].append(c.get("delta").get("content").asText());
      }
    }
    assertEquals(Set.of(0, 1), finished);
    assertEquals(TestServer.SCRIPT_TEXT, texts[0].toString());
    assertEquals(TestServer.SCRIPT_TEXT, texts[1].toString());
  }

  @Test
  void stopStringAcrossTokenBoundariesIsHeldBackAndNotSent() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"stream\":true,\"stop\":\"lo wor\"," + HI + "}").body());
    StringBuilder text = new StringBuilder();
    for (JsonNode e : events) {
      JsonNode d = e.get("choices").get(0).get("delta");
      if (d.has("content")) {
        text.append(d.get("content").asText());
      }
    }
    assertEquals("Hel", text.toString());
    assertEquals("stop", events.get(events.size() - 1).get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void chatStreamLogprobs() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"stream\":true,\"logprobs\":true,\"top_logprobs\":1,\"max_tokens\":2," + HI + "}")
        .body());
    List<String> tokens = new java.util.ArrayList<>();
    for (JsonNode e : events.subList(1, events.size() - 1)) {
      JsonNode content = e.get("choices").get(0).get("logprobs").get("content");
      for (JsonNode entry : content) {
        tokens.add(entry.get("token").asText());
        assertEquals(1, entry.get("top_logprobs").size());
      }
    }
    assertEquals(List.of("Hello", " world"), tokens);
  }

  @Test
  void textCompletionStreamWithEchoAndUsage() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"Say:\",\"echo\":true,\"stream\":true,\"max_tokens\":2,"
            + "\"stream_options\":{\"include_usage\":true}}").body());
    assertSameHeader(events, "text_completion");
    StringBuilder text = new StringBuilder();
    for (JsonNode e : events.subList(0, events.size() - 2)) {
      JsonNode c = e.get("choices").get(0);
      assertTrue(c.get("finish_reason").isNull());
      text.append(c.get("text").asText());
    }
    assertEquals("Say:Hello world", text.toString());
    JsonNode finish = events.get(events.size() - 2).get("choices").get(0);
    assertEquals("", finish.get("text").asText());
    assertEquals("length", finish.get("finish_reason").asText());
    assertEquals(0, events.get(events.size() - 1).get("choices").size());
    assertEquals(2, events.get(events.size() - 1).get("usage").get("completion_tokens").asInt());
  }

  @Test
  void textCompletionStreamLogprobs() {
    List<JsonNode> events = TestServer.sseEvents(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"a\",\"stream\":true,\"max_tokens\":2,\"logprobs\":0}").body());
    JsonNode lp = events.get(0).get("choices").get(0).get("logprobs");
    assertEquals("Hello", lp.get("tokens").get(0).asText());
    assertEquals(-0.25, lp.get("token_logprobs").get(0).asDouble(), 1e-6);
    assertEquals(0, lp.get("text_offset").get(0).asInt());
  }

  @Test
  void keepAliveCommentsWhileThePromptIsProcessed() {
    FakeModel slow = new FakeModel("slow", FakeModel.Script.of(server.ids("Hello")).withStartDelay(Duration.ofMillis(600)));
    server.addModel("slow", slow, 64, true);
    String body = server.post("/v1/chat/completions", "{\"model\":\"slow\",\"stream\":true," + HI + "}").body();
    assertTrue(body.contains(": keep-alive\n\n"), body);
    assertEquals("Hello", TestServer.sseEvents(body).get(1).get("choices").get(0).get("delta").get("content").asText());
  }

  @Test
  void errorAfterTheStreamStartedIsAnErrorEventThenDone() {
    server.model.failAfterTokens = 2;
    try {
      HttpResponse<String> r = server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"a\",\"stream\":true}");
      assertEquals(200, r.statusCode());
      List<JsonNode> events = TestServer.sseEvents(r.body());
      JsonNode error = events.get(events.size() - 1).get("error");
      assertEquals("internal_error", error.get("code").asText());
      assertEquals("server_error", error.get("type").asText());
      assertEquals("Hello", events.get(0).get("choices").get(0).get("text").asText());
    } finally {
      server.model.failAfterTokens = -1;
    }
  }

  private static void assertSameHeader(List<JsonNode> events, String object) {
    JsonNode first = events.get(0);
    for (JsonNode e : events) {
      assertEquals(object, e.get("object").asText());
      assertEquals(first.get("id"), e.get("id"));
      assertEquals(first.get("created"), e.get("created"));
      assertEquals("fake", e.get("model").asText());
      assertTrue(e.get("system_fingerprint").asText().startsWith("fp_"));
    }
  }
}
