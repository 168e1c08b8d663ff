package dev.robin.api.route;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractMaterializer;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.connection.ConnectionScope;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.guard.Endpoint;
import dev.robin.api.guard.RequestGuard;
import dev.robin.api.health.HealthReport;
import dev.robin.serving.catalog.ClusterModels;
import dev.robin.api.json.Json;
import dev.robin.api.metrics.ServerMetrics;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.request.InFlightRequests;
import dev.robin.api.request.RequestServices;
import dev.robin.api.config.ServerSettings;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Every HTTP route of Robin. The API lives under {@code /api/v1} and, identically, {@code /v1}; {@code /metrics}
 * at the root. Each response carries {@code x-request-id}; every error, including unknown routes, wrong
 * methods and internal failures, is rendered in the OpenAI error envelope by {@link ErrorHandling}.
 */
public final class ApiRoutes {

  private final ServerSettings settings;
  private final RequestGuard guard;
  private final ServerMetrics metrics;
  private final HealthReport health;
  private final ModelsJson models;
  private final CompletionService completions;
  private final TokenizeService tokenizer;
  private final Route extraApiRoutes;

  /**
   * @param extraApiRoutes routes mounted beside the built-in ones under both API prefixes (e.g. {@code /keys},
   *     {@code /usage}); they do their own guarding
   */
  public ApiRoutes(
      ActorSystem<?> system,
      ServerSettings settings,
      ModelRegistry registry,
      RequestGuard guard,
      ServerMetrics metrics,
      HealthReport health,
      InFlightRequests inFlight,
      Route extraApiRoutes) {
    this.settings = settings;
    this.guard = guard;
    this.metrics = metrics;
    this.health = health;
    this.extraApiRoutes = extraApiRoutes;
    this.models = new ModelsJson(registry, ClusterModels.get(system)::counts);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    ModelLookup lookup = new ModelLookup(registry, settings.overloadRetryAfter());
    this.completions =
        new CompletionService(system, lookup, new RequestServices(settings, guard, metrics, inFlight), blocking);
    this.tokenizer = new TokenizeService(lookup, blocking);
  }

  /** The complete, sealed route. */
  public Route route() {
    return extractRequest(
        request -> {
          String requestId = requestId();
          ConnectionScope connection = ConnectionScope.of(request);
          return mapResponse(
              response -> {
                metrics.httpRequest(request.method().value(), response.status().intValue());
                return response.addHeader(RawHeader.create("x-request-id", requestId));
              },
              () ->
                  withRequestTimeoutResponse(
                      timedOut ->
                          ErrorResponses.response(ApiError.wholeResponseTimedOut())
                              .addHeader(RawHeader.create("x-request-id", requestId)),
                      () ->
                  handleExceptions(
                      ErrorHandling.exceptions(requestId),
                      () ->
                          handleRejections(
                              ErrorHandling.rejections(),
                              () ->
                                  concat(
                                      pathPrefix("api", () -> pathPrefix("v1", () -> api(requestId, connection))),
                                      pathPrefix("v1", () -> api(requestId, connection)),
                                      path("metrics", () -> get(this::metricsRoute)))))));
        });
  }

  private Route api(String requestId, ConnectionScope connection) {
    return concat(
        pathPrefix(
            "models",
            () ->
                concat(
                    pathEndOrSingleSlash(
                        () -> get(() -> guard.guard(Endpoint.MODELS, caller -> json(200, models.list())))),
                    path(
                        segment(),
                        id -> get(() -> guard.guard(Endpoint.MODELS, caller -> json(200, models.one(id))))))),
        path(
            segment("chat").slash("completions"),
            () ->
                post(
                    () ->
                        guard.guard(
                            Endpoint.CHAT_COMPLETIONS,
                            caller -> withJsonBody(body -> completions.chat(body, caller, requestId, connection))))),
        path(
            "completions",
            () ->
                post(
                    () ->
                        guard.guard(
                            Endpoint.COMPLETIONS,
                            caller ->
                                withJsonBody(body -> completions.completion(body, caller, requestId, connection))))),
        path(
            "tokenize",
            () ->
                post(
                    () ->
                        guard.guard(
                            Endpoint.TOKENIZE,
                            caller ->
                                withJsonBody(body -> tokenizer.tokenize(body).thenApply(n -> jsonResponse(200, n)))))),
        path(
            "health",
            () ->
                get(
                    () ->
                        guard.guard(
                            Endpoint.HEALTH,
                            caller -> {
                              HealthReport.Result r = health.build();
                              return json(r.httpStatus(), r.body());
                            }))),
        extraApiRoutes);
  }

  private Route metricsRoute() {
    return guard.guard(
        Endpoint.METRICS,
        caller ->
            complete(
                HttpResponse.create()
                    .withEntity(
                        org.apache.pekko.http.javadsl.model.ContentTypes.parse(metrics.contentType()),
                        metrics.scrape())));
  }

  /** Reads the body (size-limited) and parses it; any failure, sync or async, reaches the exception handler. */
  private Route withJsonBody(Function<JsonNode, CompletionStage<HttpResponse>> handler) {
    return extractRequest(
        request ->
            extractMaterializer(
                mat ->
                    completeWithFuture(
                        BodyReader.readJson(request, settings.maxRequestBytes(), mat).thenCompose(handler))));
  }

  private static Route json(int status, ObjectNode body) {
    return complete(jsonResponse(status, body));
  }

  private static HttpResponse jsonResponse(int status, ObjectNode body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body));
  }

  private static String requestId() {
    UUID u = UUID.randomUUID();
    return Long.toHexString(u.getMostSignificantBits()) + Long.toHexString(u.getLeastSignificantBits());
  }
}
