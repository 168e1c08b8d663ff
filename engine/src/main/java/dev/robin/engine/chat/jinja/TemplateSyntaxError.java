package dev.robin.engine.chat.jinja;

/** The template's source is not valid Jinja2 (or uses a filter or test that does not exist). */
public final class TemplateSyntaxError extends RuntimeException {

  private final int line;

  TemplateSyntaxError(String message, int line) {
    super(message, null, false, false);
    this.line = line;
  }

  /** The 1-based line of the template where the error is. */
  public int line() {
    return line;
  }
}
