package dev.robin.engine.chat.jinja;

/**
 * Rendering failed: what Python would raise (TypeError, UndefinedError, SecurityError, …), with the
 * exception's name in {@link #kind()} and the template line that was running.
 */
public class TemplateRuntimeError extends RuntimeException {

  private final String kind;
  private int line;

  TemplateRuntimeError(String kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  /** Python's exception type name, such as {@code TypeError} or {@code UndefinedError}. */
  public String kind() {
    return kind;
  }

  /** The 1-based template line of the statement that failed; 0 when unknown. */
  public int line() {
    return line;
  }

  void lineIfUnknown(int line) {
    if (this.line == 0) {
      this.line = line;
    }
  }

  static TemplateRuntimeError type(String message) {
    return new TemplateRuntimeError("TypeError", message);
  }

  static TemplateRuntimeError value(String message) {
    return new TemplateRuntimeError("ValueError", message);
  }
}
