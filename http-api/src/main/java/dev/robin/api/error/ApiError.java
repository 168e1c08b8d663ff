package dev.robin.api.error;

import java.time.Duration;

/**
 * An error as the client sees it: the HTTP status and the OpenAI envelope
 * {@code {"error":{"message","type","param","code"}}}. {@code param} and {@code code} may be null;
 * {@code retryAfter}, when set, becomes a {@code Retry-After} header.
 */
public record ApiError(int status, String type, String code, String param, String message, Duration retryAfter) {

  public static final String INVALID_REQUEST = "invalid_request_error";
  public static final String SERVER_ERROR = "server_error";

  public ApiError {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("an API error needs a message");
    }
  }

  /** A 400 {@code invalid_request_error}. */
  public static ApiError badRequest(String code, String param, String message) {
    return new ApiError(400, INVALID_REQUEST, code, param, message, null);
  }

  public static ApiError missing(String param) {
    return badRequest("missing_required_parameter", param, "Missing required parameter: '" + param + "'.");
  }

  public static ApiError invalidType(String param, String expected, String actual) {
    return badRequest(
        "invalid_type",
        param,
        "Invalid type for '" + param + "': expected " + expected + ", but got " + actual + " instead.");
  }

  public static ApiError invalidValue(String param, String message) {
    return badRequest("invalid_value", param, message);
  }

  public static ApiError malformedJson(String detail) {
    return badRequest(
        "invalid_json",
        null,
        "We could not parse the JSON body of your request (" + detail + "). Send a valid JSON object.");
  }

  public static ApiError modelNotFound(String model) {
    return new ApiError(
        404,
        INVALID_REQUEST,
        "model_not_found",
        "model",
        "The model '" + model + "' does not exist. GET /v1/models lists the models served here.",
        null);
  }

  public static ApiError notFound(String path) {
    return new ApiError(404, INVALID_REQUEST, "not_found", null, "Unknown route: " + path + ".", null);
  }

  public static ApiError methodNotAllowed(String method, String path, String allowed) {
    return new ApiError(
        405,
        INVALID_REQUEST,
        "method_not_allowed",
        null,
        "Method " + method + " is not allowed on " + path + "; use " + allowed + ".",
        null);
  }

  public static ApiError requestTooLarge(long limitBytes) {
    return new ApiError(
        413,
        INVALID_REQUEST,
        "request_too_large",
        null,
        "The request body exceeds the limit of " + limitBytes + " bytes.",
        null);
  }

  /** A body in a media type or content coding Robin does not read (415). */
  public static ApiError unsupportedMediaType(String code, String message) {
    return new ApiError(415, INVALID_REQUEST, code, null, message, null);
  }

  /** A body whose HTTP framing (chunked encoding, compression) is broken: the JSON was never reached. */
  public static ApiError malformedBody(String detail) {
    return badRequest("invalid_body", null, "The request body could not be read (" + detail + ").");
  }

  public static ApiError overloaded(String message, Duration retryAfter) {
    return new ApiError(503, SERVER_ERROR, "server_overloaded", null, message, retryAfter);
  }

  /** A whole (non-streamed) response that was not ready within the server's request timeout. */
  public static ApiError wholeResponseTimedOut() {
    return overloaded(
        "The request took longer than the server's request timeout. Use stream=true for long completions.", null);
  }

  /** A 500 whose message never carries internals (no exception text, no stack trace). */
  public static ApiError internal(String requestId) {
    return new ApiError(
        500,
        SERVER_ERROR,
        "internal_error",
        null,
        "The server had an error while processing your request (request id " + requestId + "). Please retry.",
        null);
  }

  /** A 500 with a message the model actor declared safe to show. */
  public static ApiError internalWithMessage(String message) {
    return new ApiError(500, SERVER_ERROR, "internal_error", null, message, null);
  }

  /** The same error with another HTTP status (e.g. 401 for an invalid key). */
  public ApiError withStatus(int newStatus) {
    return new ApiError(newStatus, type, code, param, message, retryAfter);
  }

  public ApiException toException() {
    return new ApiException(this);
  }
}
