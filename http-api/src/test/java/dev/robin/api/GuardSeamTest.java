package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.headerValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.guard.Caller;
import dev.robin.api.guard.Endpoint;
import dev.robin.api.guard.RequestGuard;
import dev.robin.api.guard.Usage;
import dev.robin.api.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Authentication and quotas plug in through {@link RequestGuard}; extra routes mount under both prefixes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardSeamTest {

  /** Accepts "Bearer good" as key k1, refuses any other key with 401, serves no key anonymously. */
  static final class KeyGuard implements RequestGuard {
    final List<Endpoint> seen = new CopyOnWriteArrayList<>();
    final List<Usage> usage = new CopyOnWriteArrayList<>();
    final List<Caller> callers = new CopyOnWriteArrayList<>();

    @Override
    public Route guard(Endpoint endpoint, Function<Caller, Route> inner) {
      seen.add(endpoint);
      return optionalHeaderValueByName("Authorization", auth -> {
        if (auth.isEmpty()) {
          return inner.apply(Caller.anonymous("127.0.0.1"));
        }
        if (!auth.get().equals("Bearer good")) {
          return complete(ErrorResponses.response(ApiError.badRequest("invalid_api_key", null, "Invalid API key")
              .withStatus(401)));
        }
        return respondWithHeader(RawHeader.create("x-ratelimit-remaining-requests", "499"),
            () -> inner.apply(new Caller("127.0.0.1", "k1")));
      });
    }

    @Override
    public void recordUsage(Caller caller, Usage u) {
      callers.add(caller);
      usage.add(u);
    }
  }

  private final KeyGuard guard = new KeyGuard();
  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer("", b -> b.guard(guard).extraApiRoutes(concat(
        path("keys", () -> complete("{\"object\":\"api_key\"}")),
        path("needs-header", () -> headerValueByName("X-Need", v -> complete(v))))));
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void refusedKeyGets401InTheEnvelopeWithRequestId() {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.url("/v1/chat/completions")))
        .header("Authorization", "Bearer bad")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertEquals(401, r.statusCode());
    assertEquals("invalid_api_key", TestServer.json(r).get("error").get("code").asText());
    assertTrue(r.headers().firstValue("x-request-id").isPresent());
  }

  @Test
  void acceptedKeyReachesTheRouteAndItsUsageIsReported() throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.url("/v1/completions")))
        .header("Authorization", "Bearer good")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":2}")).build());
    assertEquals(200, r.statusCode());
    assertEquals("499", r.headers().firstValue("x-ratelimit-remaining-requests").orElse(""));
    JsonNode body = TestServer.json(r);
    eventually(Duration.ofSeconds(2), () -> assertTrue(
        guard.usage.stream().anyMatch(u -> u.requestId().equals(body.get("id").asText())), "usage reported"));
    Usage u = guard.usage.stream().filter(x -> x.requestId().equals(body.get("id").asText())).findFirst().orElseThrow();
    assertEquals("fake", u.modelId());
    assertEquals(2, u.completionTokens());
    assertEquals(body.get("usage").get("prompt_tokens").asInt(), u.promptTokens());
    assertEquals("k1", guard.callers.get(guard.usage.indexOf(u)).keyId());
    assertTrue(guard.seen.contains(Endpoint.COMPLETIONS));
  }

  @Test
  void everyEndpointKindPassesTheGuard() {
    server.get("/v1/models");
    server.get("/api/v1/health");
    server.get("/metrics");
    server.post("/v1/tokenize", "{\"model\":\"fake\",\"prompt\":\"a\"}");
    assertTrue(guard.seen.containsAll(List.of(Endpoint.MODELS, Endpoint.HEALTH, Endpoint.METRICS, Endpoint.TOKENIZE)));
  }

  @Test
  void extraRoutesAreMountedUnderBothPrefixes() {
    assertEquals(200, server.get("/api/v1/keys").statusCode());
    assertEquals(200, server.get("/v1/keys").statusCode());
    assertEquals(404, server.get("/keys").statusCode());
  }

  @Test
  void aRouteThatRefusesARequestGivesA400NotA404() {
    HttpResponse<String> r = server.get("/v1/needs-header");
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("invalid_request_error", TestServer.json(r).get("error").get("type").asText());
  }
}
