package dev.robin.api.connection;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Gives every client connection a {@link ConnectionScope} and closes it when the connection ends. Pekko HTTP
 * materializes a {@code bindFlow} handler flow once per connection; the flow built here makes the scope at that
 * moment, tags each request with it and closes it when the connection's response side terminates: the client
 * closed or reset the connection (the server's TCP stage then cancels it), the server terminated it, or the
 * client ended it after its last response was sent. While a response is pending the flow is not complete, so
 * a pipelined or keep-alive request never sees its scope close because an earlier one finished.
 */
public final class ConnectionScopes {

  private final Set<ConnectionScope> open = ConcurrentHashMap.newKeySet();

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
              return Flow.of(HttpRequest.class)
                  .map(request -> (HttpRequest) request.addAttribute(ConnectionScope.KEY, scope))
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

  /** Connections open now. */
  public int numOpen() {
    return open.size();
  }

  /** Hooks registered by requests not yet answered, over all open connections. */
  public int numHooks() {
    return open.stream().mapToInt(ConnectionScope::numHooks).sum();
  }
}
