package dev.robin.engine.grammar;

/**
 * A JSON Schema that uses a keyword (or a keyword's value) the grammar compiler does not support, or that is
 * invalid: names the keyword and the JSON pointer of the schema that holds it, so a client can fix the request.
 */
public final class UnsupportedSchemaException extends GrammarException {

  private final String keyword;
  private final String pointer;

  public UnsupportedSchemaException(String keyword, String pointer, String detail) {
    super("JSON Schema keyword '" + keyword + "' at '" + (pointer.isEmpty() ? "#" : "#" + pointer) + "': " + detail);
    this.keyword = keyword;
    this.pointer = pointer;
  }

  /** The keyword that cannot be compiled, such as {@code patternProperties}. */
  public String keyword() {
    return keyword;
  }

  /** The JSON pointer (RFC 6901, without the leading {@code #}) of the schema object holding the keyword. */
  public String pointer() {
    return pointer;
  }
}
