package dev.robin.api.error;

/** Thrown by request parsing and routes to answer with {@link #error()}; never logged as a failure. */
public final class ApiException extends RuntimeException {

  private final ApiError error;

  public ApiException(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }
}
