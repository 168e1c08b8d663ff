package dev.robin.api.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code robin.server} block of {@code conf/application.conf}, read once.
 *
 * @param maxRequestBytes larger bodies get 413 {@code request_too_large}
 * @param shutdownDeadline how long in-flight requests may run on after SIGTERM before connections are cut
 * @param sseKeepAlive an SSE comment is sent after this long without a chunk
 * @param admissionTimeout a model actor that neither accepts nor rejects within this is treated as overloaded
 * @param overloadRetryAfter the {@code Retry-After} of a 503
 * @param streamBuffer chunks buffered per stream for a slow reader before the request is aborted
 * @param defaultMaxTokens {@code max_tokens} when the client gives none (clipped to the context)
 * @param maxTokensLimit the largest {@code max_tokens} a client may ask for
 * @param halfCloseIsDisconnect whether a client that closes its sending side (FIN) while its request is
 *     unanswered has left, so the request is cancelled (otherwise only a reset or a failed write tells)
 * @param wholeResponseDeadline a non-streamed completion not ready by then is cancelled and answered 503: one
 *     second inside Pekko's {@code pekko.http.server.request-timeout}, which would otherwise answer while the
 *     model kept generating for nobody; null when that timeout is infinite
 */
public record ServerSettings(
    String host,
    int port,
    long maxRequestBytes,
    Duration shutdownDeadline,
    Duration sseKeepAlive,
    Duration admissionTimeout,
    Duration overloadRetryAfter,
    int streamBuffer,
    int defaultMaxTokens,
    int maxTokensLimit,
    boolean halfCloseIsDisconnect,
    Duration wholeResponseDeadline) {

  public static ServerSettings from(Config root) {
    Config c = root.getConfig("robin.server");
    return new ServerSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("max-request-bytes"),
        c.getDuration("shutdown-deadline"),
        c.getDuration("sse-keep-alive"),
        c.getDuration("admission-timeout"),
        c.getDuration("overload-retry-after"),
        c.getInt("stream-buffer"),
        c.getInt("default-max-tokens"),
        c.getInt("max-tokens-limit"),
        c.getBoolean("half-close-is-disconnect"),
        wholeResponseDeadline(root));
  }

  private static Duration wholeResponseDeadline(Config root) {
    String key = "pekko.http.server.request-timeout";
    if (!root.hasPath(key) || root.getString(key).equalsIgnoreCase("infinite")) {
      return null;
    }
    Duration pekko = root.getDuration(key);
    Duration margin = Duration.ofSeconds(1);
    return pekko.compareTo(margin.multipliedBy(2)) > 0 ? pekko.minus(margin) : pekko.dividedBy(2);
  }

  public ServerSettings withPort(int newPort) {
    return new ServerSettings(
        host, newPort, maxRequestBytes, shutdownDeadline, sseKeepAlive, admissionTimeout, overloadRetryAfter,
        streamBuffer, defaultMaxTokens, maxTokensLimit, halfCloseIsDisconnect, wholeResponseDeadline);
  }
}
