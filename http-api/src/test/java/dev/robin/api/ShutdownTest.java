package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/** CoordinatedShutdown (what SIGTERM runs): stop accepting, let in-flight streams finish, cut them at the deadline. */
class ShutdownTest {

  @org.junit.jupiter.api.RepeatedTest(3) // the end of a stream racing the connection close was flaky
  void inFlightStreamFinishesAndNewConnectionsAreRefused() throws Exception {
    TestServer server = new TestServer("robin.server.shutdown-deadline = 10s");
    try {
      int n = 40; // 40 tokens every 25 ms: about a second of streaming
      server.model.setScript(FakeModel.Script.of(server.ids("Hello world")).repeating()
          .withInterval(Duration.ofMillis(25)));
      HttpResponse<Stream<String>> stream = server.http.send(
          HttpRequest.newBuilder(URI.create(server.url("/v1/completions")))
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"fake\",\"prompt\":\"a\",\"stream\":true,\"max_tokens\":" + n + "}"))
              .build(),
          HttpResponse.BodyHandlers.ofLines());
      var lines = stream.body().iterator();
      assertTrue(lines.next().startsWith("data: {")); // streaming has begun
      CompletableFuture<?> shutdown = CoordinatedShutdown.get(server.system)
          .runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture();
      Thread.sleep(200);
      assertThrows(IOException.class, () -> server.http.send(
          HttpRequest.newBuilder(URI.create(server.url("/v1/health"))).build(), HttpResponse.BodyHandlers.ofString()));
      StringBuilder rest = new StringBuilder();
      lines.forEachRemaining(l -> rest.append(l).append('\n'));
      assertTrue(rest.toString().endsWith("data: [DONE]\n\n"), rest.toString());
      assertTrue(rest.toString().contains("\"finish_reason\":\"length\""));
      shutdown.get(15, TimeUnit.SECONDS);
      assertTrue(server.system.getWhenTerminated().toCompletableFuture().isDone());
    } finally {
      server.close();
    }
  }

  @Test
  void streamsStillRunningAtTheDeadlineAreCutAndCancelled() throws Exception {
    TestServer server = new TestServer("robin.server.shutdown-deadline = 500ms");
    try {
      server.model.setScript(FakeModel.Script.of(server.ids("Hello")).repeating().withInterval(Duration.ofMillis(20)));
      HttpResponse<Stream<String>> stream = server.http.send(
          HttpRequest.newBuilder(URI.create(server.url("/v1/completions")))
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"fake\",\"prompt\":\"a\",\"stream\":true,\"max_tokens\":30000}"))
              .build(),
          HttpResponse.BodyHandlers.ofLines());
      var lines = stream.body().iterator();
      assertTrue(lines.next().startsWith("data: {"));
      long t0 = System.nanoTime();
      CoordinatedShutdown.get(server.system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      assertTrue(seconds < 5, "shutdown took " + seconds + " s");
      assertEquals(1, server.model.cancels().size(), "the cut stream's sequence was cancelled");
      StringBuilder rest = new StringBuilder();
      lines.forEachRemaining(l -> rest.append(l).append('\n'));
      assertTrue(rest.toString().endsWith("\"code\":\"server_overloaded\"}}\n\ndata: [DONE]\n\n"), rest.toString());
    } finally {
      server.close();
    }
  }
}
