package dev.robin.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.robin.engine.grammar.GrammarException;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A repeated constraint is compiled once on the request path; a bad one is refused every time. */
class ValidatedConstraintsTest {

  @Test
  void aConstraintThatPassedIsNotCompiledAgainAndABadOneFailsEachTime() {
    AtomicInteger compiled = new AtomicInteger();
    ValidatedConstraints validated = new ValidatedConstraints(2, c -> {
      compiled.incrementAndGet();
      c.validate();
    });
    OutputConstraint schema = OutputConstraint.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}");
    validated.check(schema);
    validated.check(OutputConstraint.jsonSchema(schema.source()));
    assertEquals(1, compiled.get(), "an equal constraint passed already");

    OutputConstraint bad = OutputConstraint.regex("(");
    assertThrows(GrammarException.class, () -> validated.check(bad));
    assertThrows(GrammarException.class, () -> validated.check(bad));
    assertEquals(3, compiled.get(), "a failed constraint is not remembered");

    validated.check(OutputConstraint.regex("a"));
    validated.check(OutputConstraint.regex("b")); // capacity 2: the schema is forgotten
    validated.check(schema);
    assertEquals(6, compiled.get());
  }
}
