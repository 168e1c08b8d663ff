package dev.robin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a running server says about itself: {@code GET /v1/models} (which model to benchmark without asking)
 * and {@code GET /v1/health} (recorded beside the results: device, replicas, queue, versions).
 */
public final class ModelList {

  private ModelList() {}

  /** The health document, or null when the server does not answer one (it is informative only). */
  public static JsonNode health(HttpClient http, URI apiBase) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(ApiBase.resolve(apiBase, "health")).timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new ObjectMapper().readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The ids the server lists, in its order.
   *
   * @throws IllegalStateException when the server does not answer 200 with a model list
   */
  public static List<String> ids(HttpClient http, URI apiBase, Map<String, String> headers)
      throws InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(ApiBase.resolve(apiBase, "models")).timeout(Duration.ofSeconds(30));
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + apiBase + "/models answered HTTP " + r.statusCode() + ": " + StreamChunk.abbreviate(r.body()));
      }
      JsonNode data = new ObjectMapper().readTree(r.body()).path("data");
      List<String> ids = new ArrayList<>();
      data.forEach(m -> ids.add(m.path("id").asText()));
      return ids;
    } catch (IOException e) {
      throw new IllegalStateException("GET " + apiBase + "/models failed: " + e.getMessage(), e);
    }
  }
}
