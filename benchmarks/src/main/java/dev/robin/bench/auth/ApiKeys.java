package dev.robin.bench.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.bench.load.ApiBase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Creates the API key the authenticated side of the overhead benchmark sends ({@code POST /v1/keys}). */
public final class ApiKeys {

  private ApiKeys() {}

  /** A new key's plaintext, as the server shows it once. */
  public static String create(HttpClient http, URI apiBase) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(ApiBase.resolve(apiBase, "keys"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"robin-bench\"}"))
            .build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "POST " + apiBase + "/keys answered HTTP " + r.statusCode() + "; give a key with --api-key");
      }
      JsonNode key = new ObjectMapper().readTree(r.body()).get("key");
      if (key == null || !key.isTextual()) {
        throw new IllegalStateException("POST " + apiBase + "/keys returned no \"key\"; give a key with --api-key");
      }
      return key.asText();
    } catch (IOException e) {
      throw new IllegalStateException("POST " + apiBase + "/keys failed: " + e.getMessage(), e);
    }
  }
}
