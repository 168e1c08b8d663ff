package dev.robin.engine.chat.jinja;

/** The template called {@code raise_exception(message)}: it refuses the input, in its own words. */
public final class TemplateRaised extends TemplateRuntimeError {

  TemplateRaised(String message) {
    super("TemplateError", message);
  }
}
