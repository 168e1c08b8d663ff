package dev.robin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * A prompt's token count as the benchmarked server counts it: Robin's {@code POST /v1/tokenize}
 * ({@code {"model","prompt"}} → {@code count}), which tokenizes exactly as a completion request does.
 */
public final class TokenCounter implements ToIntFunction<String> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI tokenize;
  private final Map<String, String> headers;
  private final String model;

  public TokenCounter(HttpClient http, URI apiBase, Map<String, String> headers, String model) {
    this.http = http;
    this.tokenize = ApiBase.resolve(apiBase, "tokenize");
    this.headers = Map.copyOf(headers);
    this.model = model;
  }

  /**
   * @throws IllegalStateException when the server does not answer 200 with a count (e.g. it has no
   *     tokenize route), with what it answered
   */
  @Override
  public int applyAsInt(String prompt) {
    String body = JSON.createObjectNode().put("model", model).put("prompt", prompt).toString();
    HttpRequest.Builder b = HttpRequest.newBuilder(tokenize).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json");
    headers.forEach(b::header);
    HttpResponse<String> r;
    try {
      r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + tokenize + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while counting prompt tokens", e);
    }
    JsonNode count = null;
    if (r.statusCode() == 200) {
      try {
        count = JSON.readTree(r.body()).get("count");
      } catch (IOException e) {
        // reported below
      }
    }
    if (count == null || !count.canConvertToInt()) {
      throw new IllegalStateException(
          "POST " + tokenize + " answered HTTP " + r.statusCode() + " without a token count: "
              + StreamChunk.abbreviate(r.body()));
    }
    return count.asInt();
  }
}
