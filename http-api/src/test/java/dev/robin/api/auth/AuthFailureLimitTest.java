package dev.robin.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admins are never locked out: a valid admin token or key is served however many requests (or failed attempts)
 * its IP made, while wrong credentials are limited on their own bucket. Every request comes from 127.0.0.1 (no
 * trusted proxy), the same client IP throughout, as an admin behind one address would be.
 */
class AuthFailureLimitTest {

  @TempDir
  static Path dataDir;

  private static AuthTestServer server;

  @BeforeAll
  static void start() {
    server = new AuthTestServer(dataDir, """
        robin.rate-limits.unauthenticated.requests = 3
        robin.rate-limits.failed-authentication.requests = 4
        robin.rate-limits.failed-authentication.window = 20m
        """);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> createKeyAsAdmin() {
    return server.send(server.request("/api/v1/keys").header("Authorization", "Bearer " + AuthTestServer.ADMIN_TOKEN)
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"k\"}")).build());
  }

  private static HttpResponse<String> revoke(String id, String token) {
    return server.send(server.request("/api/v1/keys/" + id).header("Authorization", "Bearer " + token)
        .DELETE().build());
  }

  private static HttpResponse<String> chat(String key) {
    HttpRequest.Builder request = server.request("/v1/chat/completions").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}"));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return server.send(request.build());
  }

  @Test
  void theAdminTokenOutlivesTheIpBucketAndTheFailureLimiter() {
    HttpResponse<String> first = createKeyAsAdmin();
    HttpResponse<String> second = createKeyAsAdmin();
    assertEquals(201, first.statusCode(), first.body());
    assertTrue(first.headers().firstValue("x-ratelimit-limit-requests").isEmpty(), "the admin draws from no bucket");
    String firstId = AuthTestServer.json(first).get("id").asText();
    String secondId = AuthTestServer.json(second).get("id").asText();
    String key = AuthTestServer.json(second).get("key").asText();

    // The IP spends its unauthenticated requests.
    for (int i = 0; i < 3; i++) {
      assertEquals(200, chat(null).statusCode());
    }
    assertEquals(429, chat(null).statusCode());

    // The right admin token is not limited by the IP's bucket.
    HttpResponse<String> revoked = revoke(firstId, AuthTestServer.ADMIN_TOKEN);
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertEquals(201, createKeyAsAdmin().statusCode());

    // Wrong tokens: 401 (not the IP bucket's 429) until the failure limiter trips, then 429 with Retry-After.
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> wrong = revoke(secondId, "wrong-token-" + i);
      assertEquals(401, wrong.statusCode(), wrong.body());
      assertEquals("invalid_api_key", AuthTestServer.json(wrong).get("error").get("code").asText());
    }
    assertEquals(401, chat("rk-" + "A".repeat(43)).statusCode(), "a bad API key is a failure too");
    HttpResponse<String> limited = revoke(secondId, "wrong-token-x");
    assertEquals(429, limited.statusCode(), limited.body());
    JsonNode error = AuthTestServer.json(limited).get("error");
    assertEquals("rate_limit_exceeded", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("failed authentications"), error.toString());
    assertEquals(300, Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()),
        "4 per 20 min: one failure allowed again every 5 min");
    assertEquals(429, chat("rk-" + "B".repeat(43)).statusCode(), "bad API keys share the failure limit");

    // ...while the right credentials still work from the same IP.
    HttpResponse<String> stillAdmin = revoke(secondId, AuthTestServer.ADMIN_TOKEN);
    assertEquals(200, stillAdmin.statusCode(), stillAdmin.body());
    HttpResponse<String> thirdKey = createKeyAsAdmin();
    assertEquals(201, thirdKey.statusCode(), thirdKey.body());
    assertEquals(200, chat(AuthTestServer.json(thirdKey).get("key").asText()).statusCode(), "a valid key is served");
    assertEquals(429, chat(key).statusCode(), "a revoked key is a failed authentication, limited as such");
  }
}
