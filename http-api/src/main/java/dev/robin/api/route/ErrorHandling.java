package dev.robin.api.route;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.error.ErrorResponses;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps exceptions and rejections to the OpenAI error envelope; nothing internal ever reaches a client. */
final class ErrorHandling {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  private ErrorHandling() {}

  static ExceptionHandler exceptions(String requestId) {
    return ExceptionHandler.newBuilder()
        .matchAny(
            t -> {
              Throwable cause = unwrap(t);
              if (cause instanceof ApiException api) {
                return complete(closingIfNeeded(ErrorResponses.response(api.error()), api.error()));
              }
              if (cause instanceof EntityStreamException stream) {
                // Broken framing (a bad chunk size): a client error, never a 500. Pekko's parser has already
                // given up on the connection, which it resets; a client that reads fast enough sees this 400.
                ApiError error = ApiError.malformedBody(stream.info().summary());
                return complete(closingIfNeeded(ErrorResponses.response(error), error));
              }
              if (cause instanceof EntityStreamSizeException size) {
                ApiError error = ApiError.requestTooLarge(size.limit());
                return complete(closingIfNeeded(ErrorResponses.response(error), error));
              }
              log.error("Request {} failed", requestId, cause);
              return complete(ErrorResponses.response(ApiError.internal(requestId)));
            })
        .build();
  }

  /**
   * An oversized body (413) may not have been read to its end, and a body with broken framing (a bad chunk size:
   * {@code invalid_body}) cannot be: where the next request would start is unknown. The answer says
   * {@code Connection: close}, so the client does not reuse the connection, and Pekko closes it after the answer.
   */
  static HttpResponse closingIfNeeded(HttpResponse response, ApiError error) {
    if (error.status() == 413 || "invalid_body".equals(error.code())) {
      return response.addHeader(Connection.create("close"));
    }
    return response;
  }

  static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(
            MethodRejection.class,
            rejections -> {
              Set<String> allowed = new LinkedHashSet<>();
              rejections.forEach(r -> allowed.add(r.supported().name()));
              return extractRequest(
                  request -> {
                    HttpResponse response =
                        ErrorResponses.response(
                            ApiError.methodNotAllowed(
                                request.method().name(), request.getUri().path(), String.join(", ", allowed)));
                    return complete(
                        response.addHeader(
                            Allow.create(
                                rejections.stream()
                                    .map(MethodRejection::supported)
                                    .toArray(org.apache.pekko.http.javadsl.model.HttpMethod[]::new))));
                  });
            })
        .handle(
            MalformedRequestContentRejection.class,
            r -> complete(ErrorResponses.response(
                r.getCause() instanceof EntityStreamSizeException size
                    ? ApiError.requestTooLarge(size.limit())
                    : ApiError.malformedJson(firstLine(r.message())))))
        .handle(
            ValidationRejection.class,
            r -> complete(ErrorResponses.response(ApiError.invalidValue(null, firstLine(r.message())))))
        .handleAll(
            Rejection.class,
            rejections ->
                extractRequest(
                    request -> {
                      // A route matched but refused the request (a header, a query parameter…): a client error.
                      log.debug("Rejections for {}: {}", request.getUri().path(), rejections);
                      return complete(ErrorResponses.response(ApiError.badRequest(
                          "invalid_request", null,
                          "The request to " + request.getUri().path() + " was not understood ("
                              + rejections.get(0).getClass().getSimpleName().replace("Rejection", "")
                              + "). Check its headers, query and body against the API reference.")));
                    }))
        .handleNotFound(
            extractRequest(request -> complete(ErrorResponses.response(ApiError.notFound(request.getUri().path())))))
        .build();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "invalid request";
    }
    int cut = message.indexOf('\n');
    String line = cut < 0 ? message : message.substring(0, cut);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
