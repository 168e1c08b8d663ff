package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.grammar.OutputConstraint;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.SchedulerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Output constraints through the whole engine: a random-weight synthetic model (its free text is noise), sampled
 * at temperature 1, whose every output under a constraint parses and validates, alone or batched.
 */
class ConstrainedGenerationTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final int DOCUMENTS = 25;
  private static final int MAX_TOKENS = 400;

  @TempDir static Path root;
  private static LoadedModel model;

  @BeforeAll
  static void open() {
    EngineOptions options = new EngineOptions(
        Device.cpu(), DataType.FLOAT32, 64L << 20, SchedulerConfig::defaults, root, false);
    model = LoadedModel.open("tiny", "synthetic:tiny", options);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static SamplingParams sampled(long seed, OutputConstraint constraint) {
    return new SamplingParams(1.0, 1.0, 0, seed, 0, 0, -1, LogitBias.NONE).withConstraint(constraint);
  }

  /** Runs every request to its end in one engine (one batch); returns each one's text by id. */
  private static Map<String, String> generate(List<GenerationRequest> requests) {
    EngineCore engine = model.createEngine();
    Map<String, List<Integer>> tokens = new HashMap<>();
    java.util.Set<String> constrained = new java.util.HashSet<>();
    for (GenerationRequest r : requests) {
      if (r.sampling().constraint() != null) {
        constrained.add(r.id());
      }
      Optional<Rejection> rejected = engine.submit(r);
      assertTrue(rejected.isEmpty(), () -> "refused: " + rejected);
      tokens.put(r.id(), new ArrayList<>());
    }
    Map<String, String> texts = new HashMap<>();
    while (engine.hasWork()) {
      for (SequenceOutput out : engine.step()) {
        for (SampledToken t : out.newTokens()) {
          tokens.get(out.requestId()).add(t.tokenId());
        }
        if (out.isFinished() && constrained.contains(out.requestId())) {
          assertEquals(FinishReason.STOP, out.finishReason(),
              out.requestId() + " must end where its document ends, not at max_tokens: "
                  + decode(tokens.get(out.requestId())));
        }
        if (out.isFinished()) {
          texts.put(out.requestId(), decode(tokens.get(out.requestId())));
        }
      }
    }
    return texts;
  }

  private static String decode(List<Integer> ids) {
    return model.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
  }

  private static List<GenerationRequest> requests(String prefix, OutputConstraint constraint, int count) {
    int[] prompt = model.tokenizer().encode("Answer: ", true);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      requests.add(GenerationRequest.of(prefix + i, prompt, sampled(1000L + i, constraint), MAX_TOKENS));
    }
    return requests;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":8},"
          + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120}},\"required\":[\"name\",\"age\"],"
          + "\"additionalProperties\":false}",
      "{\"type\":\"array\",\"items\":{\"enum\":[\"red\",\"green\",\"blue\"]},\"minItems\":1,\"maxItems\":4}",
      "{\"type\":\"object\",\"properties\":{\"point\":{\"$ref\":\"#/$defs/point\"},\"tags\":{\"type\":\"array\","
          + "\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]{1,5}$\"},\"maxItems\":3}},"
          + "\"required\":[\"point\"],\"additionalProperties\":false,\"$defs\":{\"point\":{\"type\":\"object\","
          + "\"properties\":{\"x\":{\"type\":\"number\",\"minimum\":-10,\"maximum\":10},\"y\":{\"type\":\"number\","
          + "\"minimum\":-10,\"maximum\":10}},\"required\":[\"x\",\"y\"],\"additionalProperties\":false}}}",
      "{\"anyOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"},{\"type\":\"string\",\"format\":\"date\"}]}",
      "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\",\"format\":\"uuid\"},"
          + "\"ok\":{\"const\":true}},\"required\":[\"id\",\"ok\"],\"additionalProperties\":false}"
  })
  void everyOutputOfARandomModelValidatesAgainstItsSchema(String schemaText) throws Exception {
    Schema validator = SCHEMAS.getSchema(JSON.readTree(schemaText));
    Map<String, String> texts = generate(requests("s", OutputConstraint.jsonSchema(schemaText), DOCUMENTS));
    assertEquals(DOCUMENTS, texts.size());
    for (String text : texts.values()) {
      JsonNode doc;
      try {
        doc = JSON.readTree(text);
      } catch (Exception e) {
        fail("not JSON: " + text, e);
        return;
      }
      List<Error> errors = validator.validate(doc, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
      assertTrue(errors.isEmpty(), text + " is invalid: " + errors);
    }
  }

  @Test
  void aRegularExpressionAndAChoiceListHoldToo() {
    Pattern pattern = Pattern.compile("[A-Z][a-z]{2,6} (is|was) [0-9]{1,3}");
    for (String text : generate(requests("r", OutputConstraint.regex(pattern.pattern()), DOCUMENTS)).values()) {
      assertTrue(pattern.matcher(text).matches(), text);
    }
    List<String> choices = List.of("yes", "no", "maybe later");
    for (String text : generate(requests("c", OutputConstraint.choice(choices), DOCUMENTS)).values()) {
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
    Map<String, String> together = generate(batch);
    Map<String, String> alone = generate(List.of(batch.get(3)));
    assertEquals(alone.get("b3"), together.get("b3"));
  }
}
