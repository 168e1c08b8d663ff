package dev.robin.api.openai;

import dev.robin.engine.grammar.OutputConstraint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
  /** By a digest of the constraint, not the constraint: a schema may be megabytes, its key is 32 bytes. */
  private final Map<String, Boolean> passed;

  /** {@code validator} throws for a constraint that cannot be compiled. */
  ValidatedConstraints(int capacity, Consumer<OutputConstraint> validator) {
    this.validator = validator;
    this.passed = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Validates {@code constraint} unless it passed lately; throws what the validator throws. */
  void check(OutputConstraint constraint) {
    String key = digest(constraint);
    synchronized (passed) {
      if (passed.get(key) != null) {
        return;
      }
    }
    validator.accept(constraint); // outside the lock: requests with other schemas are not held up
    synchronized (passed) {
      passed.put(key, Boolean.TRUE);
    }
  }

  private static String digest(OutputConstraint constraint) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(constraint.kind().name().getBytes(StandardCharsets.UTF_8));
      if (constraint.source() != null) {
        sha.update((byte) 0);
        sha.update(constraint.source().getBytes(StandardCharsets.UTF_8));
      }
      for (String choice : constraint.choices()) {
        // length-prefixed, so ["ab"] and ["a", "b"] differ
        sha.update(ByteBuffer.allocate(4).putInt(choice.length()).array());
        sha.update(choice.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
