package dev.robin.engine.grammar;

/**
 * A constraint that cannot be compiled: a malformed regular expression, an unsatisfiable or too large grammar.
 * The HTTP layer answers it with 400, its message naming what is wrong.
 */
public class GrammarException extends RuntimeException {

  public GrammarException(String message) {
    super(message);
  }

  public GrammarException(String message, Throwable cause) {
    super(message, cause);
  }
}
