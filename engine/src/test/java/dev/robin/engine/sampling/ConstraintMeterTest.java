package dev.robin.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.grammar.GrammarCache;
import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.grammar.TokenVocabularyBytes;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A constrained sampler's mask time lands in its engine's meter, per step; grammar lookups are counted there too. */
class ConstraintMeterTest {

  private static final String SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"integer\"}},"
          + "\"required\":[\"b\"]}},\"required\":[\"a\"]}";

  /** One token per ASCII byte, then the stop id. */
  private static TokenVocabularyBytes asciiVocab() {
    byte[][] tokens = new byte[128][];
    for (int b = 0; b < 128; b++) {
      tokens[b] = new byte[] {(byte) b};
    }
    return TokenVocabularyBytes.of(129, tokens, 128);
  }

  private static SamplingParams constrained() {
    return SamplingParams.GREEDY.withConstraint(OutputConstraint.jsonSchema(SCHEMA));
  }

  @Test
  void eachStepRecordsTheTimeItsConstrainedSequencesSpentOnMasks() {
    GrammarCache grammars = new GrammarCache(asciiVocab(), 4);
    ConstraintMeter meter = new ConstraintMeter();
    Sampler first = Samplers.create(constrained(), 129, grammars, Set.of(128), meter);
    Sampler second = Samplers.create(constrained(), 129, grammars, Set.of(128), meter);
    Sampler free = Samplers.create(SamplingParams.GREEDY, 129, grammars, Set.of(128), meter);

    meter.startStep();
    int token = first.sample(new float[129]).tokenId();
    first.accept(token);
    second.accept(second.sample(new float[129]).tokenId());
    free.accept(free.sample(new float[129]).tokenId());
    assertEquals('{', token);
    assertEquals(2, meter.stepSequences(), "the unconstrained sampler is not a masked sequence");
    assertTrue(meter.stepNanos() > 0, "the step's mask time was not recorded");

    meter.startStep();
    assertEquals(0, meter.stepSequences());
    assertEquals(0, meter.stepNanos());
    free.sample(new float[129]);
    assertEquals(0, meter.stepSequences(), "a step without constrained sequences masks nothing");
  }

  @Test
  void aRepeatedSchemaIsOneCompilationAndThenCacheHits() {
    GrammarCache grammars = new GrammarCache(asciiVocab(), 4);
    ConstraintMeter meter = new ConstraintMeter();
    for (int i = 0; i < 3; i++) {
      Samplers.create(constrained(), 129, grammars, Set.of(128), meter);
    }
    assertEquals(1, meter.numCompilationsTotal());
    assertEquals(2, meter.numCacheHitsTotal());
    long[] compiles = meter.drainCompileNanos();
    assertEquals(1, compiles.length);
    assertTrue(compiles[0] > 0, "the compile time was not recorded");
    assertArrayEquals(new long[0], meter.drainCompileNanos(), "drained compilations are forgotten");
    assertEquals(2, grammars.hits());
    assertEquals(1, grammars.compilations());
  }
}
