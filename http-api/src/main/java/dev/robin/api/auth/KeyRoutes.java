package dev.robin.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.json.Json;
import dev.robin.api.openai.JsonFields;
import dev.robin.api.route.BodyReader;
import dev.robin.accounts.keys.ApiKeyService;
import dev.robin.accounts.keys.CreatedKey;
import dev.robin.accounts.ratelimit.BucketKey;
import dev.robin.accounts.store.DailyUsage;
import dev.robin.accounts.store.UsageStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /keys} (create; open or admin-only per {@code robin.store.keys.creation}), {@code DELETE /keys/{id}}
 * (revoke; admin token) and {@code GET /usage} (the calling key's usage per day). Mounted by the server under
 * {@code /api/v1} and {@code /v1}. With the admin token, key routes are not limited at all; with a wrong one they
 * draw from the client IP's failed-authentication bucket; otherwise from the IP's general bucket.
 */
public final class KeyRoutes {

  /** A create body is at most a name: anything larger is not a key request. */
  private static final long MAX_BODY_BYTES = 16 * 1024;
  /** Longer than any id this server hands out: a longer one is a 404 without asking the store. */
  private static final int MAX_KEY_ID_CHARS = 64;

  private final ApiKeyService keys;
  private final UsageStore usage;
  private final KeyGuard guard;

  public KeyRoutes(ApiKeyService keys, UsageStore usage, KeyGuard guard) {
    this.keys = keys;
    this.usage = usage;
    this.guard = guard;
  }

  /** The routes, to pass to {@code RobinServer.Builder.extraApiRoutes}. */
  public Route route() {
    return concat(
        pathPrefix("keys", () -> concat(
            pathEndOrSingleSlash(() -> post(this::create)),
            path(segment(), id -> delete(() -> revoke(id))))),
        path("usage", () -> get(this::usage)));
  }

  /**
   * The admin token is checked first: with it the key is created without touching any bucket. Under open creation
   * anyone else creates on the client IP's bucket; under admin-only creation a wrong token is a failed
   * authentication (its own limiter), no token a 401 on the IP's bucket.
   */
  private Route create() {
    return extractRequest(request -> {
      Optional<String> token = PresentedKey.bearerToken(request);
      if (token.map(keys::isAdminToken).orElse(false)) {
        return createKey(request, List.of());
      }
      if (keys.mayCreate(token)) {
        return limitedByIp(headers -> createKey(request, headers));
      }
      ApiError refusal = unauthorized("Creating API keys on this server requires the admin token "
          + "(robin.store.keys.admin-token) as 'Authorization: Bearer <token>'.");
      return token.isPresent() ? wrongAdminToken(refusal) : limitedByIp(headers -> error(refusal, headers));
    });
  }

  private Route createKey(HttpRequest request, List<HttpHeader> headers) {
    return extractMaterializer(materializer -> onComplete(
        BodyReader.readBytes(request, MAX_BODY_BYTES, materializer)
            .thenCompose(body -> keys.create(parseName(body.toArray()))),
        created -> {
          if (created.isFailure()) {
            Throwable cause = unwrap(created.failed().get());
            if (cause instanceof ApiException api) {
              return error(api.error(), headers);
            }
            if (cause instanceof IllegalArgumentException invalid) {
              return error(ApiError.invalidValue("name", invalid.getMessage()), headers);
            }
            throw new IllegalStateException("creating an API key failed", cause);
          }
          return json(201, keyJson(created.get()), headers);
        }));
  }

  /**
   * The admin token is checked first: with it the key is revoked without touching any bucket, however many
   * requests the client IP made. A wrong token is a failed authentication (401, then 429 from its own limiter);
   * no token, a 401 on the IP's bucket.
   */
  private Route revoke(String id) {
    return extractRequest(request -> {
      Optional<String> token = PresentedKey.bearerToken(request);
      if (keys.settings().adminToken().isEmpty()) {
        return limitedByIp(headers -> error(new ApiError(403, ApiError.INVALID_REQUEST, "permission_denied", null,
            "Revoking keys is disabled on this server: set robin.store.keys.admin-token (ROBIN_ADMIN_TOKEN).",
            null), headers));
      }
      if (token.map(keys::isAdminToken).orElse(false)) {
        return revokeKey(id);
      }
      ApiError refusal = unauthorized("Revoking API keys requires the admin token as 'Authorization: Bearer <token>'.");
      return token.isPresent() ? wrongAdminToken(refusal) : limitedByIp(headers -> error(refusal, headers));
    });
  }

  private Route revokeKey(String id) {
    CompletionStage<Boolean> revoked = id.length() > MAX_KEY_ID_CHARS
        ? CompletableFuture.completedFuture(false) : keys.revoke(id);
    return onSuccess(revoked, found -> {
      if (!found) {
        return error(new ApiError(404, ApiError.INVALID_REQUEST, "key_not_found", "id",
            "No API key has the id '" + JsonFields.abbreviate(id) + "'.", null), List.of());
      }
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("id", id);
      body.put("object", "api_key");
      body.put("revoked", true);
      return json(200, body, List.of());
    });
  }

  /** A wrong admin token: 401, or 429 with Retry-After once the client IP failed authentication too often. */
  private Route wrongAdminToken(ApiError refusal) {
    return guard.withClientIp(ip -> onSuccess(guard.refuseWrongAdminToken(ip, refusal), response -> complete(response)));
  }

  private Route usage() {
    return guard.admitted(false, true, caller -> onSuccess(usage.usage(caller.keyId()), days -> {
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("object", "list");
      body.put("key_id", caller.keyId());
      ArrayNode data = body.putArray("data");
      for (DailyUsage day : days) {
        ObjectNode row = data.addObject();
        row.put("object", "usage.day");
        row.put("date", day.day().toString());
        row.put("requests", day.numRequests());
        row.put("prompt_tokens", day.promptTokens());
        row.put("completion_tokens", day.completionTokens());
        row.put("total_tokens", day.totalTokens());
      }
      return json(200, body, List.of());
    }));
  }

  /** Takes a token from the client IP's bucket, answering 429 when it is empty. */
  private Route limitedByIp(java.util.function.Function<List<HttpHeader>, Route> inner) {
    return guard.withClientIp(ip -> onSuccess(guard.acquireForIp(ip), decision -> {
      List<HttpHeader> headers = KeyGuard.headers(decision);
      if (!decision.allowed()) {
        return complete(guard.tooManyRequests(decision, BucketKey.forIp(ip), headers));
      }
      return inner.apply(headers);
    }));
  }

  /** The optional {@code {"name": "..."}} body; empty means no name. */
  static Optional<String> parseName(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    JsonNode root = BodyReader.parse(body); // the completion routes' checks: UTF-8, JSON, no lone surrogates
    if (!root.isObject()) {
      throw ApiError.malformedJson("expected an object such as {\"name\": \"My Key\"}").toException();
    }
    // Checked here, before the key service (and its validation message) sees it; the service then counts code
    // points exactly. Two UTF-16 units per code point at most.
    return Optional.ofNullable(JsonFields.root(root).optionalString("name", 2 * ApiKeyService.MAX_NAME_LENGTH));
  }

  private static ObjectNode keyJson(CreatedKey created) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("id", created.id());
    body.put("object", "api_key");
    body.put("name", created.name());
    body.put("key", created.key());
    body.put("created", created.created().getEpochSecond());
    return body;
  }

  private static ApiError unauthorized(String message) {
    return new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null, message, null);
  }

  private static Route error(ApiError error, List<HttpHeader> headers) {
    return complete(ErrorResponses.response(error).addHeaders(headers));
  }

  private static Route json(int status, ObjectNode body, List<HttpHeader> headers) {
    return complete(HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body))
        .addHeaders(headers));
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
