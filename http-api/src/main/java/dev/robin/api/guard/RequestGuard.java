package dev.robin.api.guard;

import static org.apache.pekko.http.javadsl.server.Directives.extractClientIP;

import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The seam where authentication, rate limits and usage accounting plug in. Every API route is wrapped in
 * {@link #guard}: an implementation authenticates (key header, {@code api_key} query), asks its quota,
 * adds the {@code x-ratelimit-*} headers and either completes the request itself (401, 429 — build the body
 * with {@link dev.robin.api.error.ErrorResponses}) or calls {@code inner} with the caller. Completions report
 * what they consumed through {@link #recordUsage}.
 */
public interface RequestGuard {

  Route guard(Endpoint endpoint, Function<Caller, Route> inner);

  /** Called once per completion request when it ends; must not block. */
  default void recordUsage(Caller caller, Usage usage) {}

  /** No authentication, no limits: every caller is anonymous, known by the connection's address. */
  static RequestGuard open() {
    return (endpoint, inner) ->
        extractClientIP(
            ip -> inner.apply(Caller.anonymous(ip.getAddress().map(a -> a.getHostAddress()).orElse("unknown"))));
  }
}
