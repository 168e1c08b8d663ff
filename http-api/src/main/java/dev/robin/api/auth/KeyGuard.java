package dev.robin.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.error.ErrorResponses;
import dev.robin.api.guard.Caller;
import dev.robin.api.guard.Endpoint;
import dev.robin.api.guard.RequestGuard;
import dev.robin.api.guard.Usage;
import dev.robin.accounts.keys.ApiKeyService;
import dev.robin.accounts.keys.ApiKeys;
import dev.robin.accounts.keys.AuthResult;
import dev.robin.accounts.ratelimit.BucketKey;
import dev.robin.accounts.ratelimit.ClientIpResolver;
import dev.robin.accounts.ratelimit.RateDecision;
import dev.robin.accounts.ratelimit.RateLimitHeaders;
import dev.robin.accounts.ratelimit.RateLimiter;
import dev.robin.accounts.store.UsageEvent;
import dev.robin.accounts.usage.UsageRecorder;
import java.net.InetAddress;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication, rate limits and usage accounting for every API route. A request with a key is served on that
 * key's bucket; one without, on its client IP's; {@code GET /models} draws from separate listing buckets. A key
 * that is unknown or revoked is refused with 401, never served anonymously; such failures draw from the IP's
 * failed-authentication bucket (not its general one), and once it is spent they get 429 instead of 401, while a
 * valid key from the same IP is still served. Order of checks: see {@code docs/architecture.md}, "Authentication
 * and limits". Every limited response carries the contract's {@code x-ratelimit-*} headers; a 429 also
 * {@code Retry-After} and {@code retry-after-ms}. Health and metrics are neither authenticated nor limited.
 */
public final class KeyGuard implements RequestGuard {

  private static final Logger log = LoggerFactory.getLogger(KeyGuard.class);

  /** Errors the inner route throws get the rate-limit headers too; anything else goes to the outer handler. */
  private static final ExceptionHandler API_ERRORS = ExceptionHandler.newBuilder()
      .match(ApiException.class, e -> complete(ErrorResponses.response(e.error())))
      .build();

  private final ApiKeyService keys;
  private final RateLimiter limiter;
  private final ClientIpResolver ips;
  private final ActorRef<UsageRecorder.Command> usage;
  private final InstantSource clock;
  private final AtomicBoolean warnedNoRemoteAddress = new AtomicBoolean();

  /** How a request was admitted: its caller and the headers to add, or the response refusing it. */
  private record Admission(Caller caller, List<HttpHeader> headers, HttpResponse refusal) {}

  public KeyGuard(ApiKeyService keys, RateLimiter limiter, ClientIpResolver ips,
      ActorRef<UsageRecorder.Command> usage, InstantSource clock) {
    this.keys = keys;
    this.limiter = limiter;
    this.ips = ips;
    this.usage = usage;
    this.clock = clock;
  }

  @Override
  public Route guard(Endpoint endpoint, Function<Caller, Route> inner) {
    if (endpoint == Endpoint.HEALTH || endpoint == Endpoint.METRICS) {
      return withClientIp(ip -> inner.apply(Caller.anonymous(ip)));
    }
    return admitted(endpoint == Endpoint.MODELS, false, inner);
  }

  @Override
  public void recordUsage(Caller caller, Usage consumed) {
    if (caller.isAuthenticated()) {
      // The request id (x-request-id) makes the event idempotent: a retried write never counts twice.
      String requestId = consumed.requestId() != null ? consumed.requestId() : UUID.randomUUID().toString();
      usage.tell(new UsageRecorder.Record(new UsageEvent(requestId, caller.keyId(),
          clock.instant(), Math.max(0, consumed.promptTokens()), Math.max(0, consumed.completionTokens()))));
    }
  }

  /**
   * Authenticates and rate-limits, then runs {@code inner} with the caller and the rate-limit headers.
   *
   * @param listing whether the listing buckets apply
   * @param requireKey whether a request without a key is refused (401) rather than served anonymously
   */
  Route admitted(boolean listing, boolean requireKey, Function<Caller, Route> inner) {
    return extractRequest(request -> {
      String ip = clientIp(request);
      CompletionStage<Admission> admission = admit(PresentedKey.from(request), ip, listing, requireKey);
      return onComplete(admission, result -> {
        if (result.isFailure()) {
          log.warn("Could not authenticate a request: {}", result.failed().get().toString());
          return complete(ErrorResponses.response(ApiError.overloaded(
              "API keys cannot be checked right now; please retry shortly.", java.time.Duration.ofSeconds(1))));
        }
        Admission admitted = result.get();
        if (admitted.refusal() != null) {
          return complete(admitted.refusal());
        }
        return respondWithHeaders(admitted.headers(),
            () -> handleExceptions(API_ERRORS, () -> inner.apply(admitted.caller())));
      });
    });
  }

  /** Runs {@code inner} with the client IP only: no authentication, no limit. */
  Route withClientIp(Function<String, Route> inner) {
    return extractRequest(request -> inner.apply(clientIp(request)));
  }

  /** Takes a token from the client IP's general bucket (for routes without keys, e.g. key creation). */
  CompletionStage<RateDecision> acquireForIp(String ip) {
    return limiter.acquire(BucketKey.forIp(ip));
  }

  private CompletionStage<Admission> admit(Optional<String> presented, String ip, boolean listing,
      boolean requireKey) {
    BucketKey ipBucket = listing ? BucketKey.forListing(Optional.empty(), ip) : BucketKey.forIp(ip);
    if (presented.isEmpty()) {
      return limiter.acquire(ipBucket).thenApply(decision -> requireKey
          ? refuseIfAllowed(decision, ipBucket, unauthorized(
              "This route reports on an API key: send yours as 'Authorization: Bearer <key>'."))
          : admitOrLimit(decision, ipBucket, Caller.anonymous(ip)));
    }
    String key = presented.get();
    return keys.authenticate(key).thenCompose(auth -> {
      if (auth instanceof AuthResult.Authenticated ok) {
        BucketKey keyBucket = listing ? BucketKey.forListing(Optional.of(ok.keyId()), ip) : BucketKey.forKey(ok.keyId());
        return limiter.acquire(keyBucket)
            .thenApply(decision -> admitOrLimit(decision, keyBucket, new Caller(ip, ok.keyId())));
      }
      String message = auth instanceof AuthResult.Revoked
          ? "The API key " + ApiKeys.redact(key) + " has been revoked. Create a new one with POST /api/v1/keys."
          : "Incorrect API key provided: " + ApiKeys.redact(key) + ". Create one with POST /api/v1/keys.";
      return refuseFailedAuthentication(ip, unauthorized(message));
    });
  }

  /**
   * A failed authentication: 401 while the IP's failed-authentication bucket has tokens, 429 once it is spent.
   * It draws from that bucket only, not the IP's general one, so an IP that spent its unauthenticated requests
   * still learns that its credential is wrong, and guessing is limited on its own.
   */
  private CompletionStage<Admission> refuseFailedAuthentication(String ip, ApiError unauthorized) {
    BucketKey failures = BucketKey.forAuthFailure(ip);
    return limiter.acquire(failures).thenApply(decision -> refuseIfAllowed(decision, failures, unauthorized));
  }

  /** As for a bad API key: the response for a wrong admin token (401, or 429 once this IP failed too often). */
  CompletionStage<HttpResponse> refuseWrongAdminToken(String ip, ApiError unauthorized) {
    return refuseFailedAuthentication(ip, unauthorized).thenApply(Admission::refusal);
  }

  private Admission admitOrLimit(RateDecision decision, BucketKey bucket, Caller caller) {
    List<HttpHeader> headers = headers(decision);
    if (!decision.allowed()) {
      return new Admission(caller, headers, tooManyRequests(decision, bucket, headers));
    }
    return new Admission(caller, headers, null);
  }

  private Admission refuseIfAllowed(RateDecision decision, BucketKey bucket, ApiError refusal) {
    List<HttpHeader> headers = headers(decision);
    HttpResponse response = decision.allowed()
        ? ErrorResponses.response(refusal).addHeaders(headers)
        : tooManyRequests(decision, bucket, headers);
    return new Admission(null, headers, response);
  }

  HttpResponse tooManyRequests(RateDecision decision, BucketKey bucket, List<HttpHeader> headers) {
    String who = switch (bucket.kind()) {
      case IP -> "requests without an API key from your IP address";
      case KEY -> "requests with your API key";
      case LISTING_IP, LISTING_KEY -> "model listings";
      case AUTH_FAILURE -> "failed authentications (wrong API key or admin token) from your IP address";
    };
    String message = "Rate limit reached for " + who + ": " + decision.limit() + " per "
        + RateLimitHeaders.formatDuration(limiter.settings().limitFor(bucket.kind()).window())
        + ". Please retry after " + RateLimitHeaders.formatDuration(decision.retryAfter()) + ".";
    // retryAfter stays null here: the rate-limit headers already carry Retry-After.
    ApiError error = new ApiError(429, "requests", "rate_limit_exceeded", null, message, null);
    return ErrorResponses.response(error).addHeaders(headers);
  }

  static List<HttpHeader> headers(RateDecision decision) {
    return RateLimitHeaders.of(decision).stream()
        .map(h -> (HttpHeader) RawHeader.create(h.getKey(), h.getValue()))
        .toList();
  }

  private static ApiError unauthorized(String message) {
    return new ApiError(401, ApiError.INVALID_REQUEST, "invalid_api_key", null, message, null);
  }

  /** The connection's address, or the forwarded client when the connection is from a trusted proxy. */
  String clientIp(HttpRequest request) {
    Optional<InetAddress> peer = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress);
    if (peer.isEmpty()) {
      if (warnedNoRemoteAddress.compareAndSet(false, true)) {
        log.warn("Requests carry no remote address (pekko.http.server.remote-address-attribute = off?): "
            + "all unauthenticated clients share one rate-limit bucket");
      }
      return "unknown";
    }
    String forwarded = java.util.stream.StreamSupport.stream(request.getHeaders().spliterator(), false)
        .filter(h -> h.lowercaseName().equals("x-forwarded-for"))
        .map(HttpHeader::value)
        .collect(Collectors.joining(","));
    return ips.resolve(peer.get(), forwarded.isEmpty() ? Optional.empty() : Optional.of(forwarded));
  }
}
