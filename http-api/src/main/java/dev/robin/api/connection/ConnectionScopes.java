package dev.robin.api.connection;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpProtocols;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Gives every client connection a {@link ConnectionScope} and closes it when the client leaves. Pekko HTTP
 * materializes a {@code bindFlow} handler flow once per connection; the flow built here makes the scope at that
 * moment and tags each request with it. The scope closes:
 *
 * <ul>
 *   <li>when the connection's response side terminates: the client reset the connection (RST) or it broke, the
 *       server terminated it, or the client ended it after its last response. While a response is pending this
 *       side stays open, so a pipelined or keep-alive request never sees its scope close because an earlier one
 *       finished;
 *   <li>when the request side ends while the last request asked to keep the connection: the client closed its
 *       sending side (a FIN), which is how almost every client leaves ({@code close()} on a socket). Pekko HTTP
 *       would still answer, as a half-closed client may wait for its response (RFC 9112 allows it), but the
 *       answer to a closed socket is only noticed when written: for a whole completion, after the model ran to
 *       the end. Like nginx, Go's net/http and uvicorn, Robin takes the FIN as the client leaving, unless
 *       {@code halfCloseIsDisconnect} is off. A request with {@code Connection: close} (or HTTP/1.0 without
 *       keep-alive) ends the request side at once by design, so it never counts as leaving.
 * </ul>
 */
public final class ConnectionScopes {

  private final Set<ConnectionScope> open = ConcurrentHashMap.newKeySet();
  private final boolean halfCloseIsDisconnect;

  public ConnectionScopes(boolean halfCloseIsDisconnect) {
    this.halfCloseIsDisconnect = halfCloseIsDisconnect;
  }

  /**
   * The handler flow for {@code bindFlow}: like {@code bind(handler)} (which maps requests with {@code mapAsync}
   * of the server's pipelining limit), plus the scope.
   */
  public Flow<HttpRequest, HttpResponse, NotUsed> handlerFlow(
      Function<HttpRequest, CompletionStage<HttpResponse>> handler, int pipeliningLimit) {
    return Flow.<HttpRequest, HttpResponse, NotUsed>fromMaterializer(
            (mat, attributes) -> {
              ConnectionScope scope = new ConnectionScope();
              open.add(scope);
              AtomicBoolean lastAskedToClose = new AtomicBoolean();
              return Flow.of(HttpRequest.class)
                  .map(
                      request -> {
                        lastAskedToClose.set(asksToClose(request));
                        return (HttpRequest) request.addAttribute(ConnectionScope.KEY, scope);
                      })
                  .watchTermination(
                      (notUsed, requestsEnded) -> {
                        requestsEnded.whenComplete(
                            (done, failure) -> {
                              if (failure != null || (halfCloseIsDisconnect && !lastAskedToClose.get())) {
                                scope.close();
                              }
                            });
                        return notUsed;
                      })
                  .mapAsync(pipeliningLimit, handler)
                  .watchTermination(
                      (notUsed, terminated) -> {
                        terminated.whenComplete(
                            (done, failure) -> {
                              open.remove(scope);
                              scope.close();
                            });
                        return notUsed;
                      });
            })
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /** Whether the client said this is its last request on the connection. */
  static boolean asksToClose(HttpRequest request) {
    Optional<HttpHeader> connection = request.getHeader("Connection");
    String tokens = connection.map(h -> h.value().toLowerCase(Locale.ROOT)).orElse("");
    if (tokens.contains("close")) {
      return true;
    }
    return request.protocol().equals(HttpProtocols.HTTP_1_0) && !tokens.contains("keep-alive");
  }

  /** Connections open now. */
  public int numOpen() {
    return open.size();
  }

  /** Hooks registered by requests not yet answered, over all open connections. */
  public int numHooks() {
    return open.stream().mapToInt(ConnectionScope::numHooks).sum();
  }
}
