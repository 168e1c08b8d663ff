package dev.robin.engine.grammar;

import java.util.List;
import java.util.Objects;

/**
 * What a sequence's output must be, as a request states it: a JSON document valid against a JSON Schema, any
 * JSON object, a text matching a regular expression, or one of a list of texts. It travels with the request (to
 * a replica on any node) as data; the replica compiles it against its model's vocabulary ({@link #compile}).
 *
 * @param kind which constraint
 * @param source the JSON Schema's text (JSON_SCHEMA) or the regular expression (REGEX); null otherwise
 * @param choices the allowed texts (CHOICE); empty otherwise
 */
public record OutputConstraint(Kind kind, String source, List<String> choices) {

  /** The kinds of constraint. */
  public enum Kind {
    JSON_SCHEMA,
    JSON_OBJECT,
    REGEX,
    CHOICE
  }

  public OutputConstraint {
    Objects.requireNonNull(kind, "kind");
    choices = choices == null ? List.of() : List.copyOf(choices);
    if ((kind == Kind.JSON_SCHEMA || kind == Kind.REGEX) && source == null) {
      throw new IllegalArgumentException(kind + " needs its source text");
    }
  }

  public static OutputConstraint jsonSchema(String schemaJson) {
    return new OutputConstraint(Kind.JSON_SCHEMA, schemaJson, List.of());
  }

  public static OutputConstraint jsonObject() {
    return new OutputConstraint(Kind.JSON_OBJECT, null, List.of());
  }

  public static OutputConstraint regex(String regex) {
    return new OutputConstraint(Kind.REGEX, regex, List.of());
  }

  public static OutputConstraint choice(List<String> choices) {
    return new OutputConstraint(Kind.CHOICE, null, choices);
  }

  /**
   * Checks that the constraint can be compiled at all (a supported schema, a valid regular expression, a
   * non-empty choice list), without a vocabulary: where a request is validated.
   *
   * @throws GrammarException naming what is wrong (an {@link UnsupportedSchemaException} names the keyword)
   */
  public void validate() {
    switch (kind) {
      case JSON_SCHEMA -> Grammar.jsonSchema(source);
      case JSON_OBJECT -> Grammar.jsonObject();
      case REGEX -> Grammar.regex(source);
      case CHOICE -> Grammar.choice(choices);
      default -> throw new IllegalStateException("unknown constraint " + kind);
    }
  }

  /** The constraint compiled for a model's vocabulary, through its cache (a repeated one compiles once). */
  public CompiledGrammar compile(GrammarCache grammars) {
    return compile(grammars, GrammarCache.Observer.NONE);
  }

  /** As {@link #compile(GrammarCache)}, telling {@code observer} whether the cache had it. */
  public CompiledGrammar compile(GrammarCache grammars, GrammarCache.Observer observer) {
    return switch (kind) {
      case JSON_SCHEMA -> grammars.jsonSchema(source, observer);
      case JSON_OBJECT -> grammars.jsonObject(observer);
      case REGEX -> grammars.regex(source, observer);
      case CHOICE -> grammars.choice(choices, observer);
    };
  }
}
