package dev.robin.api.openai;

import dev.robin.engine.grammar.OutputConstraint;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The output constraints validated lately, so that a schema many requests repeat is compiled once on the request
 * path, not once per request: checking a constraint compiles its whole grammar (a nested schema: ~70 ms of CPU on a
 * 2-core AMD EPYC), which under load competes with the model's steps for the cores. Only constraints that passed are
 * kept (a bad one fails again, with its message); least recently used ones beyond the capacity are forgotten.
 * Thread-safe.
 */
final class ValidatedConstraints {

  private final Consumer<OutputConstraint> validator;
  private final Map<OutputConstraint, Boolean> passed;

  /** {@code validator} throws for a constraint that cannot be compiled. */
  ValidatedConstraints(int capacity, Consumer<OutputConstraint> validator) {
    this.validator = validator;
    this.passed = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<OutputConstraint, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Validates {@code constraint} unless it passed lately; throws what the validator throws. */
  void check(OutputConstraint constraint) {
    synchronized (passed) {
      if (passed.get(constraint) != null) {
        return;
      }
    }
    validator.accept(constraint); // outside the lock: requests with other schemas are not held up
    synchronized (passed) {
      passed.put(constraint, Boolean.TRUE);
    }
  }
}
