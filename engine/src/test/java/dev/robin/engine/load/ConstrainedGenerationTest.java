package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.grammar.RandomSchemas;
import dev.robin.engine.request.GenerationRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Output constraints through the whole engine, the fast share: a random-weight synthetic model (its free text is
 * noise), sampled at temperature 1, whose every output under a constraint parses and validates, alone or batched.
 * {@code ConstrainedGenerationScaleTest} (slow) does the same for every schema of {@link RandomSchemas}, 100
 * documents each.
 */
class ConstrainedGenerationTest {

  private static final int DOCUMENTS = 25;
  private static final int MAX_TOKENS = 400;

  @TempDir static Path root;
  private static LoadedModel model;

  @BeforeAll
  static void open() {
    model = ConstrainedRuns.openTiny(root, 64L << 20, 64);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<GenerationRequest> requests(String prefix, OutputConstraint constraint, int count) {
    return ConstrainedRuns.requests(model, prefix, constraint, count, 1000L, MAX_TOKENS);
  }

  /** Five of the schemas whose strings all have bounds, so 25 documents end well within the token limit. */
  @ParameterizedTest
  @ValueSource(strings = {"nested-address", "status-enum", "ref-defs", "oneOf-shapes", "formats-time"})
  void everyOutputOfARandomModelValidatesAgainstItsSchema(String name) {
    String schemaText = RandomSchemas.json(RandomSchemas.all().get(name));
    Map<String, String> texts =
        ConstrainedRuns.generate(model, requests("s", OutputConstraint.jsonSchema(schemaText), DOCUMENTS));
    ConstrainedRuns.assertValid(schemaText, texts.values());
  }

  @Test
  void aRegularExpressionAndAChoiceListHoldToo() {
    Pattern pattern = Pattern.compile("[A-Z][a-z]{2,6} (is|was) [0-9]{1,3}");
    for (String text : ConstrainedRuns.generate(
        model, requests("r", OutputConstraint.regex(pattern.pattern()), DOCUMENTS)).values()) {
      assertTrue(pattern.matcher(text).matches(), text);
    }
    List<String> choices = List.of("yes", "no", "maybe later");
    for (String text : ConstrainedRuns.generate(
        model, requests("c", OutputConstraint.choice(choices), DOCUMENTS)).values()) {
      assertTrue(choices.contains(text), text);
    }
  }

  @Test
  void aConstrainedRequestGivesTheSameTokensAloneAndInABatch() {
    OutputConstraint constraint = OutputConstraint.jsonSchema(
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"maxLength\":6}},\"required\":[\"a\"]}");
    List<GenerationRequest> batch = new ArrayList<>(requests("b", constraint, 7));
    batch.addAll(requests("free", null, 3).stream()
        .map(r -> new GenerationRequest(r.id(), r.promptIds(), r.sampling(), 24, true)).toList());
    Map<String, String> together = ConstrainedRuns.generate(model, batch);
    Map<String, String> alone = ConstrainedRuns.generate(model, List.of(batch.get(3)));
    assertEquals(alone.get("b3"), together.get("b3"));
  }
}
