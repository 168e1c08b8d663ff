package dev.robin.bench.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/** The inexpensive routes whose latency shows what authentication and rate limiting add to a request. */
public enum CheapRoute {
  /** {@code GET /v1/models}: note the spec's separate 60/min listing limit when limits are on. */
  MODELS,
  /** {@code POST /v1/tokenize} of a short prompt: counted against the general limits only. */
  TOKENIZE;

  /** The request to {@code apiBase} for model {@code model}, with {@code headers}. */
  public HttpRequest request(URI apiBase, String model, Map<String, String> headers) {
    String base = apiBase.toString().replaceAll("/+$", "");
    HttpRequest.Builder b;
    if (this == MODELS) {
      b = HttpRequest.newBuilder(URI.create(base + "/models")).GET();
    } else {
      String body =
          new ObjectMapper().createObjectNode().put("model", model).put("prompt", "Hello, world! Once upon a time")
              .toString();
      b = HttpRequest.newBuilder(URI.create(base + "/tokenize"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
    }
    headers.forEach(b::header);
    return b.timeout(Duration.ofSeconds(30)).build();
  }

  public String describe() {
    return this == MODELS ? "GET /v1/models" : "POST /v1/tokenize";
  }
}
