package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.grammar.RandomSchemas;
import dev.robin.engine.sampling.LogitBias;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Structured outputs at scale through the whole engine: the random-weight {@code synthetic:tiny} model (its free text
 * is noise), sampled at temperature 1, writes 100 documents under each of {@link RandomSchemas}' schemas (nested
 * objects, arrays with item bounds, enums, anyOf/oneOf, $ref/$defs and recursion, patterns, formats, number ranges,
 * const, nullable types), under {@code json_object}, a regular expression and a choice list, each with its own seed,
 * the 100 of a constraint batched in one engine. Every one must end with {@code STOP} where its document ends, and
 * parse and validate (networknt, formats asserted), match or be one of the choices.
 *
 * <p>Inside a string without a length bound the noise model closes the string with {@code "} about once in 500
 * tokens (it is one of the ~500 tokens allowed there, nearly uniform at temperature 1), so a string's length is
 * geometric with a mean of ~500 tokens and 2-4 documents in 100 of {@link #FREE_TEXT}'s constraints run into the
 * context (2,048 tokens) before their document can end. Those constraints alone get a logit bias of
 * {@value #QUOTE_BIAS} on {@code "} (as {@code RandomDriver} presses closers after 150 tokens): the mask still
 * decides every token, and strings end after ~25 tokens.
 */
@Tag("slow")
class ConstrainedGenerationScaleTest {

  private static final int DOCUMENTS = 100;
  /** The model's context (2,048) less the prompt: a document that needs more fails on its finish reason. */
  private static final int MAX_TOKENS = 2000;

  /** The constraints whose documents hold strings without a length bound (keys or values). */
  private static final Set<String> FREE_TEXT =
      Set.of("json_object", "any-value", "any-object", "additional-true", "additional-schema");
  private static final float QUOTE_BIAS = 3f;

  @TempDir static Path root;
  private static LoadedModel model;
  private static long started;

  @BeforeAll
  static void open() {
    started = System.nanoTime();
    model = ConstrainedRuns.openTiny(root, 128L << 20, DOCUMENTS);
  }

  @AfterAll
  static void close() {
    model.close();
    System.out.printf("ConstrainedGenerationScaleTest: %.1f s in all%n", (System.nanoTime() - started) / 1e9);
  }

  static Stream<Arguments> schemas() {
    return RandomSchemas.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), RandomSchemas.json(e.getValue())));
  }

  /** The 100 documents of one constraint, each from its own seed (distinct across constraints too). */
  private static Collection<String> generate(String name, OutputConstraint constraint) {
    long t0 = System.nanoTime();
    LogitBias bias = LogitBias.NONE;
    if (FREE_TEXT.contains(name)) {
      int[] quote = model.tokenizer().encode("\"", false);
      assertEquals(1, quote.length, "\" is one token");
      bias = LogitBias.of(quote, new float[] {QUOTE_BIAS});
    }
    Map<String, String> texts = ConstrainedRuns.generate(model, ConstrainedRuns.requests(
        model, name + "-", constraint, DOCUMENTS, (long) name.hashCode() << 16, MAX_TOKENS, bias));
    int chars = texts.values().stream().mapToInt(String::length).sum();
    System.out.printf("%-20s %d documents in %5.2f s, %6.1f characters each%n",
        name, texts.size(), (System.nanoTime() - t0) / 1e9, (double) chars / texts.size());
    return texts.values();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void everyDocumentValidatesAgainstItsSchema(String name, String schemaText) {
    ConstrainedRuns.assertValid(schemaText, generate(name, OutputConstraint.jsonSchema(schemaText)));
  }

  @Test
  void everyJsonObjectDocumentIsAnObject() {
    for (String text : generate("json_object", OutputConstraint.jsonObject())) {
      assertTrue(ConstrainedRuns.parse(text).isObject(), text);
    }
  }

  @Test
  void everyRegexDocumentMatches() {
    Pattern pattern = Pattern.compile("(\\+49|0)[1-9][0-9]{2,4}[ /-]?[0-9]{3,8}|[A-Z][a-z]{1,10}( [A-Z][a-z]{1,10}){0,2}"
        + ":\\s\\d+(\\.\\d{1,2})?€");
    for (String text : generate("regex", OutputConstraint.regex(pattern.pattern()))) {
      assertTrue(pattern.matcher(text).matches(), text);
    }
  }

  @Test
  void everyChoiceDocumentIsAChoice() {
    List<String> choices = List.of("positive", "negative", "neutral", "mixed feelings", "n/a", "négatif");
    for (String text : generate("choice", OutputConstraint.choice(choices))) {
      assertTrue(choices.contains(text), text);
    }
  }
}
