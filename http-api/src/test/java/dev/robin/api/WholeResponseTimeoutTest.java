package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole completion that cannot be ready within Pekko's request timeout is answered by Robin itself, in the
 * error envelope, a second before Pekko would answer, and its sequence is cancelled instead of generating on
 * for nobody. A streamed request is not subject to it.
 */
class WholeResponseTimeoutTest {

  private TestServer server;
  private FakeModel slow;

  @BeforeEach
  void start() {
    server = new TestServer("pekko.http.server.request-timeout = 3s");
    // Endless tokens every 20 ms: a 5000-token request needs 100 s.
    slow = new FakeModel("slow", FakeModel.Script.of(server.ids("Hello world")).repeating()
        .withInterval(Duration.ofMillis(20)));
    server.addModel("slow", slow, 1_000_000, true);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aWholeCompletionPastTheRequestTimeoutIsAnswered503AndCancelled() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r =
        server.post("/v1/completions", "{\"model\":\"slow\",\"prompt\":\"a\",\"max_tokens\":5000}");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(503, r.statusCode(), r.body());
    JsonNode error = TestServer.json(r).get("error");
    assertEquals("server_error", error.get("type").asText(), r.body());
    assertTrue(error.get("message").asText().contains("stream=true"), r.body());
    assertTrue(elapsedMs >= 1_900, "not before Robin's deadline (2 s): " + elapsedMs);
    eventually(Duration.ofSeconds(2), () -> assertFalse(slow.cancels().isEmpty(), "the sequence was cancelled"));
    // Pekko's own timeout (3 s) answers with the same envelope but would leave the model generating.
    assertEquals(1, slow.cancels().size(), "the sequence was cancelled");
    long generated = slow.stats.get().numGeneratedTokensTotal();
    assertTrue(generated < 200, "cut short, not run to max_tokens: " + generated);
  }

  @Test
  void aStreamIsNotCutByIt() throws Exception {
    HttpResponse<String> r = server.post("/v1/completions",
        "{\"model\":\"slow\",\"prompt\":\"a\",\"max_tokens\":200,\"stream\":true}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"finish_reason\":\"length\""), "ran to max_tokens (~4 s): " + r.body().length());
    assertTrue(slow.cancels().isEmpty());
  }
}
