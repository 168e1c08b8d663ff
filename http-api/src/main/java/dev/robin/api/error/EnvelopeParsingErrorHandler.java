package dev.robin.api.error;

import java.util.Locale;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests Pekko HTTP refuses before any route sees them (a malformed request line, a URI or header
 * over the parser's limits, an unsupported HTTP version) in the API's error envelope rather than Pekko's
 * plain-text body, so a client's error handling has one shape to read. Configured as
 * {@code pekko.http.server.parsing.error-handler} (Pekko instantiates it with its no-argument constructor).
 */
public final class EnvelopeParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Refused a request Pekko HTTP could not parse ({}): {}", status.intValue(), info.formatPretty());
    return ErrorResponses.response(toApiError(status.intValue(), status.reason(), info.summary()));
  }

  /**
   * The envelope of a parser refusal: {@code invalid_request_error} for what the client sent (4xx; an unknown
   * method, Pekko's 501, as 400 {@code unknown_method}), a malformed request line (Pekko's 505, see below) as 400
   * {@code invalid_request_line},
   * {@code server_error} otherwise;
   * the code is the status reason in snake case ({@code request_header_fields_too_large}); the message is
   * Pekko's one-line summary, which names the offending part but not its content.
   */
  static ApiError toApiError(int status, String reason, String summary) {
    if (status == 505) {
      // Pekko's parser takes the target to end at the first space, so "GET /a b HTTP/1.1" fails on its
      // "protocol" ("b HTTP/1.1") and reads as an unsupported version. An unencoded space in the target is by far
      // the likelier cause (a real HTTP/2 or /3 client never sends an HTTP/1 request line), and both are a
      // malformed request line: 400.
      return ApiError.badRequest("invalid_request_line", null,
          "The request line is malformed: expected METHOD, a space, the target, a space and HTTP/1.1 (encode a space"
              + " in the target as %20).");
    }
    if (status == 501) {
      // An unknown method is what the client sent: a client's mistake is a 4xx, never a 5xx.
      return ApiError.badRequest("unknown_method", null,
          "The request method is not one Robin knows; use GET, POST or DELETE as the API describes.");
    }
    String code = reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    boolean clientsFault = status >= 400 && status < 500;
    String type = clientsFault ? ApiError.INVALID_REQUEST : ApiError.SERVER_ERROR;
    String message = summary == null || summary.isBlank() ? reason : summary;
    return new ApiError(status, type, code.isEmpty() ? "bad_request" : code, null, message + ".", null);
  }
}
