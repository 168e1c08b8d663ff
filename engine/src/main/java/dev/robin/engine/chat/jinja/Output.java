package dev.robin.engine.chat.jinja;

/** Rendered text, bounded: a template cannot grow its output (or a macro's) past the render's budget. */
final class Output {

  /** The characters one render may produce, over all its outputs (macro results included). */
  static final class Budget {
    private long remaining;

    Budget(long chars) {
      this.remaining = chars;
    }

    void spend(int chars) {
      remaining -= chars;
      if (remaining < 0) {
        throw new TemplateRuntimeError("OutputTooLarge", "the rendered template is too large");
      }
    }
  }

  private final StringBuilder text = new StringBuilder();
  private final Budget budget;

  Output(Budget budget) {
    this.budget = budget;
  }

  void append(String s) {
    budget.spend(s.length());
    text.append(s);
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
