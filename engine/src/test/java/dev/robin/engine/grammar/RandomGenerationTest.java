package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.robin.engine.grammar.RandomDriver.LongSamples;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Documents sampled at random under a constraint over Qwen3's real 151k-token byte-level vocabulary: every one
 * must be complete, valid UTF-8, parse as JSON and validate against its schema with a real validator (networknt,
 * formats asserted), or match its regular expression / be one of its choices. Prints the mask cost per step and the
 * compile time per schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomGenerationTest {

  private static final int DOCUMENTS = 100;
  private static final int MAX_TOKENS = 4000;
  // Duplicate names are allowed: additional properties may repeat a name (an automaton cannot remember the set
  // of names written); listed properties never repeat, and an additional name is never a listed one.
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private final LongSamples allMasks = new LongSamples();
  private final LongSamples allWarm = new LongSamples();
  private final LongSamples allCold = new LongSamples();
  private long totalTokens;

  static Stream<Arguments> schemas() {
    return RandomSchemas.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void everySampledDocumentValidates(String name, String singleQuoted) throws Exception {
    String schemaText = RandomSchemas.json(singleQuoted);
    CompiledGrammar g = Qwen3Vocabulary.cache().jsonSchema(schemaText);
    Schema validator = SCHEMAS.getSchema(JSON.readTree(schemaText));
    LongSamples masks = new LongSamples();
    RandomDriver driver = new RandomDriver(name.hashCode(), 0.3, MAX_TOKENS, masks);
    long tokens = 0;
    for (int i = 0; i < DOCUMENTS; i++) {
      int before = masks.size();
      String text = utf8(driver.generate(g));
      tokens += masks.size() - before;
      JsonNode doc;
      try {
        doc = JSON.readTree(text);
      } catch (Exception e) {
        fail(name + ": document " + i + " is not JSON: " + text, e);
        return;
      }
      List<Error> errors = validator.validate(doc, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
      assertTrue(errors.isEmpty(), name + ": document " + i + " " + text + " is invalid: " + errors);
    }
    report(name, g, driver, tokens);
  }

  @Test
  void anyJsonObject() throws Exception {
    CompiledGrammar g = Qwen3Vocabulary.cache().jsonObject();
    LongSamples masks = new LongSamples();
    RandomDriver driver = new RandomDriver(7, 0.3, MAX_TOKENS, masks);
    long tokens = 0;
    for (int i = 0; i < DOCUMENTS; i++) {
      int before = masks.size();
      String text = utf8(driver.generate(g));
      tokens += masks.size() - before;
      assertTrue(JSON.readTree(text).isObject(), text);
    }
    report("json_object", g, driver, tokens);
  }

  @Test
  void regex() {
    String regex = "(\\+49|0)[1-9][0-9]{2,4}[ /-]?[0-9]{3,8}|[A-Z][a-z]{1,10}( [A-Z][a-z]{1,10}){0,2}:\\s\\d+(\\.\\d{1,2})?€";
    CompiledGrammar g = Qwen3Vocabulary.cache().regex(regex);
    Pattern p = Pattern.compile(regex);
    LongSamples masks = new LongSamples();
    RandomDriver driver = new RandomDriver(11, 0.3, MAX_TOKENS, masks);
    long tokens = 0;
    for (int i = 0; i < DOCUMENTS; i++) {
      int before = masks.size();
      String text = utf8(driver.generate(g));
      tokens += masks.size() - before;
      assertTrue(p.matcher(text).matches(), "does not match: " + text);
    }
    report("regex", g, driver, tokens);
  }

  @Test
  void choice() {
    List<String> choices = List.of("positive", "negative", "neutral", "mixed feelings", "n/a", "négatif");
    CompiledGrammar g = Qwen3Vocabulary.cache().choice(choices);
    LongSamples masks = new LongSamples();
    RandomDriver driver = new RandomDriver(13, 0.3, MAX_TOKENS, masks);
    long tokens = 0;
    int[] seen = new int[choices.size()];
    for (int i = 0; i < DOCUMENTS; i++) {
      int before = masks.size();
      String text = utf8(driver.generate(g));
      tokens += masks.size() - before;
      assertTrue(choices.contains(text), text);
      seen[choices.indexOf(text)]++;
    }
    assertTrue(java.util.Arrays.stream(seen).filter(c -> c > 0).count() >= choices.size() / 2,
        "chose too few of the choices: " + java.util.Arrays.toString(seen));
    report("choice", g, driver, tokens);
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("not valid UTF-8: " + java.util.Arrays.toString(bytes), e);
    }
  }

  private synchronized void report(String name, CompiledGrammar g, RandomDriver driver, long tokens) {
    LongSamples masks = driver.maskNanos;
    allMasks.addAll(masks);
    allWarm.addAll(driver.warmNanos);
    allCold.addAll(driver.coldNanos);
    totalTokens += tokens;
    CompiledGrammar.Stats st = g.stats();
    System.out.printf("grammar %-18s compile %6.2f ms %d rules %5d states | %5.1f tokens/doc | mask p50 %5.1f us"
            + " p99 %7.1f us | warm p50 %4.1f p99 %5.1f us | %4d cold steps p50 %6.0f us | %4d masks %6.1f ms %5.1f MB%n",
        name, g.compileNanos() / 1e6, st.rules(), st.states(), (double) tokens / DOCUMENTS,
        masks.percentile(50) / 1e3, masks.percentile(99) / 1e3, driver.warmNanos.percentile(50) / 1e3,
        driver.warmNanos.percentile(99) / 1e3, driver.coldNanos.size(), driver.coldNanos.percentile(50) / 1e3,
        st.cachedMasks(), st.maskComputeNanos() / 1e6, st.cacheBytes() / 1e6);
  }

  @AfterAll
  void summary() {
    System.out.printf("grammar ALL: %d steps (%d tokens), mask p50 %.1f us, p99 %.1f us, mean %.1f us;"
            + " warm steps (%d) p50 %.1f us, p99 %.1f us; cold steps (%d, a trie walk) p50 %.0f us, p99 %.0f us%n",
        allMasks.size(), totalTokens, allMasks.percentile(50) / 1e3, allMasks.percentile(99) / 1e3,
        allMasks.mean() / 1e3, allWarm.size(), allWarm.percentile(50) / 1e3, allWarm.percentile(99) / 1e3,
        allCold.size(), allCold.percentile(50) / 1e3, allCold.percentile(99) / 1e3);
  }
}
