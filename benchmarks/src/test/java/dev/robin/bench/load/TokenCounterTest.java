package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The token counter against a small server that counts characters and checks what it was sent. */
class TokenCounterTest {

  private HttpServer server;
  private URI apiBase;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/tokenize", ex -> {
      JsonNode body = new ObjectMapper().readTree(ex.getRequestBody());
      boolean ok = "m".equals(body.path("model").asText())
          && "Bearer k".equals(ex.getRequestHeaders().getFirst("Authorization"));
      byte[] b = (ok ? "{\"tokens\":[],\"count\":" + body.path("prompt").asText().length() + "}"
          : "{\"error\":{\"message\":\"bad\"}}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(ok ? 200 : 400, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    apiBase = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void countsWithTheServersAnswer() {
    TokenCounter counter =
        new TokenCounter(HttpClient.newHttpClient(), apiBase, Map.of("Authorization", "Bearer k"), "m");
    assertEquals(11, counter.applyAsInt("hello world"));
  }

  @Test
  void aServerWithoutACountIsAnErrorThatSaysWhatItAnswered() {
    TokenCounter wrongModel = new TokenCounter(HttpClient.newHttpClient(), apiBase, Map.of("Authorization", "Bearer k"), "x");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> wrongModel.applyAsInt("hi"));
    assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
    TokenCounter noRoute = new TokenCounter(HttpClient.newHttpClient(), URI.create(apiBase + "/nothing"), Map.of(), "m");
    e = assertThrows(IllegalStateException.class, () -> noRoute.applyAsInt("hi"));
    assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
  }
}
