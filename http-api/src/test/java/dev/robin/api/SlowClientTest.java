package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.FakeTokenizer;
import dev.robin.api.testkit.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client that stops reading cannot make the server buffer without bound: the request is aborted. */
class SlowClientTest {

  @Test
  void aClientThatStopsReadingIsAbortedAndItsSequenceCancelled() throws Exception {
    try (TestServer server = new TestServer("robin.server.stream-buffer = 16")) {
      int huge = server.tokenizer.id(FakeTokenizer.HUGE);
      FakeModel model = new FakeModel("long",
          FakeModel.Script.of(List.of(huge)).repeating().withInterval(Duration.ofMillis(1)));
      server.addModel("long", model, 1_000_000, true);
      String body = "{\"model\":\"long\",\"prompt\":\"a\",\"stream\":true,\"max_tokens\":30000}";
      try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
        socket.setReceiveBufferSize(4096);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        // Never read: the socket buffers fill, then the 16-chunk queue, then the request is given up.
        eventually(Duration.ofSeconds(20), () -> assertFalse(model.cancels().isEmpty(),
            "the stalled stream was not cancelled; tokens produced: " + model.stats.get().numGeneratedTokensTotal()));
        assertEquals(1, model.cancels().size(),
            "the stalled stream was not cancelled; tokens produced: " + model.stats.get().numGeneratedTokensTotal());
        assertFalse(model.stats.get().numRunning() > 0 && model.cancels().isEmpty());
        long produced = model.stats.get().numGeneratedTokensTotal();
        assertTrue(produced < 30000, "generation stopped early: " + produced);
      }
    }
  }
}
