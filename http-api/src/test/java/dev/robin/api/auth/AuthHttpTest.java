package dev.robin.api.auth;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, rate limits and usage over HTTP, against the real server on an embedded store. */
class AuthHttpTest {

  @TempDir
  static Path dataDir;

  private static AuthTestServer server;

  @BeforeAll
  static void start() {
    // Small unauthenticated limit so the 429 is reached quickly; the others keep the contract's defaults.
    // Loopback is a trusted proxy, so each test gets its own client IP (and bucket) via X-Forwarded-For.
    server = new AuthTestServer(dataDir, """
        robin.rate-limits.unauthenticated.requests = 5
        robin.rate-limits.trusted-proxies = "127.0.0.1, ::1"
        """);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static JsonNode createKey(String ip, String body) {
    HttpResponse<String> response = server.send(server.request("/api/v1/keys").header("X-Forwarded-For", ip)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertEquals(201, response.statusCode(), response.body());
    return AuthTestServer.json(response);
  }

  private static HttpResponse<String> chat(String keyHeader, String key, String forwardedFor) {
    HttpRequest.Builder request = server.request("/v1/chat/completions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}"));
    if (keyHeader != null) {
      request.header(keyHeader, key);
    }
    if (forwardedFor != null) {
      request.header("X-Forwarded-For", forwardedFor);
    }
    return server.send(request.build());
  }

  @Test
  void aCreatedKeyIsReturnedOnceAndWorksInEveryContractPlace() {
    JsonNode created = createKey("203.0.113.1", "{\"name\":\"My Key\"}");
    assertEquals("api_key", created.get("object").asText());
    assertEquals("My Key", created.get("name").asText());
    assertTrue(created.get("id").asText().startsWith("key_"));
    assertTrue(created.get("created").asLong() > 1_700_000_000L);
    String key = created.get("key").asText();
    assertTrue(key.startsWith("rk-") && key.length() >= 35, key);

    HttpResponse<String> bearer = chat("Authorization", "Bearer " + key, null);
    assertEquals(200, bearer.statusCode(), bearer.body());
    assertEquals("500", bearer.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
    assertEquals(200, chat("x-api-key", key, null).statusCode());
    assertEquals(200, chat("api-key", key, null).statusCode());
    HttpResponse<String> query = server.send(server.request("/v1/models?api_key=" + key).GET().build());
    assertEquals(200, query.statusCode());
    assertEquals("60", query.headers().firstValue("x-ratelimit-limit-requests").orElseThrow(), "listing bucket");
    assertEquals("59", query.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
  }

  @Test
  void unknownAndRevokedKeysAre401NeverAnonymous() {
    String bogus = "rk-" + "A".repeat(39) + "WXYZ";
    HttpResponse<String> unknown = chat("Authorization", "Bearer " + bogus, "203.0.113.2");
    assertEquals(401, unknown.statusCode());
    JsonNode error = AuthTestServer.json(unknown).get("error");
    assertEquals("invalid_api_key", error.get("code").asText());
    assertEquals("invalid_request_error", error.get("type").asText());
    assertTrue(error.get("message").asText().contains("rk-A...WXYZ"), error.toString());
    assertFalse(unknown.body().contains(bogus), "the key itself is never echoed");
    assertEquals(401, chat("Authorization", "Bearer not-even-a-robin-key", "203.0.113.2").statusCode());

    JsonNode created = createKey("203.0.113.2", "");
    String key = created.get("key").asText();
    String id = created.get("id").asText();
    HttpRequest.Builder revoke = server.request("/api/v1/keys/" + id).header("X-Forwarded-For", "203.0.113.2").DELETE();
    assertEquals(401, server.send(revoke.build()).statusCode(), "revoking needs the admin token");
    HttpResponse<String> revoked = server.send(server.request("/api/v1/keys/" + id)
        .header("Authorization", "Bearer " + AuthTestServer.ADMIN_TOKEN).DELETE().build());
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertTrue(AuthTestServer.json(revoked).get("revoked").asBoolean());
    HttpResponse<String> afterRevoke = chat("x-api-key", key, "203.0.113.2");
    assertEquals(401, afterRevoke.statusCode());
    assertTrue(AuthTestServer.json(afterRevoke).get("error").get("message").asText().contains("revoked"));
    assertEquals(404, server.send(server.request("/api/v1/keys/key_nope")
        .header("Authorization", "Bearer " + AuthTestServer.ADMIN_TOKEN).DELETE().build()).statusCode());
  }

  @Test
  void badKeyRequestsAreClear400s() {
    for (String body : new String[] {"{\"name\": 5}", "[1]", "{", "{\"name\":\"" + "x".repeat(101) + "\"}"}) {
      HttpResponse<String> response = server.send(server.request("/api/v1/keys").header("X-Forwarded-For", "203.0.113.4")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      assertEquals(400, response.statusCode(), body + " -> " + response.body());
      assertEquals("invalid_request_error", AuthTestServer.json(response).get("error").get("type").asText());
    }
  }

  @Test
  void hugeKeyNamesAreRefusedBeforeAnyWork() {
    for (int length : new int[] {300, 16_000, 100_000, 1_000_000}) {
      String body = "{\"name\":\"" + "x".repeat(length) + "\"}";
      HttpResponse<String> response = server.send(server.request("/api/v1/keys").header("X-Forwarded-For", "203.0.113.5")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      assertTrue(response.statusCode() == 400 || response.statusCode() == 413, length + " -> " + response.body());
      JsonNode error = AuthTestServer.json(response).get("error");
      assertEquals("invalid_request_error", error.get("type").asText(), response.body());
      if (response.statusCode() == 400) {
        assertEquals("name", error.get("param").asText(), response.body());
      }
    }
  }

  @Test
  void keyNamesGetTheBodyChecksOfEveryRoute() {
    HttpResponse<String> response = server.send(server.request("/api/v1/keys").header("X-Forwarded-For", "203.0.113.6")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"half \\ud800 a pair\"}")).build());
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("name", AuthTestServer.json(response).get("error").get("param").asText(), response.body());
  }

  @Test
  void usageReportsWhatTheKeyConsumed() throws Exception {
    String key = createKey("203.0.113.3", "{}").get("key").asText();
    assertEquals(200, chat("Authorization", "Bearer " + key, null).statusCode());
    assertEquals(200, chat("Authorization", "Bearer " + key, null).statusCode());
    AtomicReference<JsonNode> day = new AtomicReference<>();
    eventually(Duration.ofSeconds(20), () -> {
      HttpResponse<String> usage = server.send(server.request("/api/v1/usage")
          .header("Authorization", "Bearer " + key).GET().build());
      assertEquals(200, usage.statusCode(), usage.body());
      JsonNode data = AuthTestServer.json(usage).get("data");
      assertTrue(data.size() == 1 && data.get(0).get("requests").asLong() == 2,
          "usage of two requests never appeared: " + data);
      day.set(data.get(0));
    });
    assertTrue(day.get().get("prompt_tokens").asLong() > 0);
    assertEquals(6, day.get().get("completion_tokens").asLong(), "max_tokens 3, twice");
    assertEquals(401, server.send(server.request("/api/v1/usage").header("X-Forwarded-For", "203.0.113.3").GET().build())
        .statusCode(), "usage needs a key");
  }

  @Test
  void theUnauthenticatedTierIsLimitedPerClientIp() {
    HttpResponse<String> last = null;
    for (int i = 0; i < 6; i++) {
      // A spoofed leftmost entry is ignored: the hop our trusted proxy (loopback) saw is 198.51.100.9.
      last = chat(null, null, "10.6.6." + i + ", 198.51.100.9");
      if (i < 5) {
        assertEquals(200, last.statusCode(), last.body());
        assertEquals("5", last.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
        assertEquals(Integer.toString(4 - i), last.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
      }
    }
    assertEquals(429, last.statusCode());
    JsonNode error = AuthTestServer.json(last).get("error");
    assertEquals("requests", error.get("type").asText());
    assertEquals("rate_limit_exceeded", error.get("code").asText());
    long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
    long retryAfterMs = Long.parseLong(last.headers().firstValue("retry-after-ms").orElseThrow());
    assertEquals(180, retryAfter, "5 per 15 min: one token every 3 min");
    assertTrue(retryAfterMs > 179_000 && retryAfterMs <= 180_000, last.headers().toString());
    assertEquals("0", last.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
    assertEquals(1, last.headers().allValues("Retry-After").size());

    assertEquals(200, chat(null, null, "198.51.100.10").statusCode(), "another IP is unaffected");
    HttpResponse<String> health = server.send(server.request("/api/v1/health")
        .header("X-Forwarded-For", "198.51.100.9").GET().build());
    assertTrue(health.headers().firstValue("x-ratelimit-limit-requests").isEmpty(), "health is never limited");
    HttpResponse<String> keyCreation = server.send(server.request("/api/v1/keys")
        .header("X-Forwarded-For", "198.51.100.9").POST(HttpRequest.BodyPublishers.ofString("")).build());
    assertEquals(429, keyCreation.statusCode(), "key creation draws from the IP's bucket too");
  }
}
