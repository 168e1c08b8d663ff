package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Constrained requests through the whole engine of the random-weight {@code synthetic:tiny} model (its free text is
 * noise), sampled at temperature 1, and the checks of what they produced: shared by the fast
 * {@link ConstrainedGenerationTest} and the slow {@code ConstrainedGenerationScaleTest}.
 */
final class ConstrainedRuns {

  // Duplicate names are allowed: additional properties may repeat a name (see JsonSchemaGrammar); trailing tokens
  // are not, so a document must be exactly one JSON value.
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private ConstrainedRuns() {}

  /**
   * The tiny synthetic model, written under {@code root}, with {@code kvCacheBytes} of KV cache and batches of up
   * to {@code maxNumSeqs} sequences.
   */
  static LoadedModel openTiny(Path root, long kvCacheBytes, int maxNumSeqs) {
    EngineOptions options = new EngineOptions(Device.cpu(), DataType.FLOAT32, kvCacheBytes,
        (len, eos) -> SchedulerConfig.defaults(len, eos).withMaxNumSeqs(maxNumSeqs), root, false);
    return LoadedModel.open("tiny", "synthetic:tiny", options);
  }

  /** {@code count} requests {@code prefix0…}, each sampled at temperature 1 with its own seed from {@code firstSeed}. */
  static List<GenerationRequest> requests(
      LoadedModel model, String prefix, OutputConstraint constraint, int count, long firstSeed, int maxTokens) {
    return requests(model, prefix, constraint, count, firstSeed, maxTokens, LogitBias.NONE);
  }

  /** As {@link #requests(LoadedModel, String, OutputConstraint, int, long, int)}, with a logit bias. */
  static List<GenerationRequest> requests(LoadedModel model, String prefix, OutputConstraint constraint, int count,
      long firstSeed, int maxTokens, LogitBias bias) {
    int[] prompt = model.tokenizer().encode("Answer: ", true);
    List<GenerationRequest> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SamplingParams sampling = new SamplingParams(1.0, 1.0, 0, firstSeed + i, 0, 0, -1, bias)
          .withConstraint(constraint);
      requests.add(GenerationRequest.of(prefix + i, prompt, sampling, maxTokens));
    }
    return requests;
  }

  /**
   * Runs every request to its end in one engine (one batch); returns each one's text by id. A constrained request
   * must finish with {@code STOP}, where its document ends, never at its token limit.
   */
  static Map<String, String> generate(LoadedModel model, List<GenerationRequest> requests) {
    EngineCore engine = model.createEngine();
    Map<String, List<Integer>> tokens = new HashMap<>();
    Set<String> constrained = new HashSet<>();
    for (GenerationRequest r : requests) {
      if (r.sampling().constraint() != null) {
        constrained.add(r.id());
      }
      Optional<Rejection> rejected = engine.submit(r);
      assertTrue(rejected.isEmpty(), () -> "refused: " + rejected);
      tokens.put(r.id(), new ArrayList<>());
    }
    Map<String, String> texts = new HashMap<>();
    List<String> cutShort = new ArrayList<>();
    while (engine.hasWork()) {
      for (SequenceOutput out : engine.step()) {
        List<Integer> ids = tokens.get(out.requestId());
        for (SampledToken t : out.newTokens()) {
          ids.add(t.tokenId());
        }
        if (out.isFinished()) {
          String text = decode(model, ids);
          if (constrained.contains(out.requestId()) && out.finishReason() != FinishReason.STOP) {
            cutShort.add(out.requestId() + " (" + out.finishReason() + " after " + ids.size() + " tokens): " + text);
          }
          texts.put(out.requestId(), text);
        }
      }
    }
    assertTrue(cutShort.isEmpty(), () -> cutShort.size() + " constrained documents did not end where the document"
        + " ends (STOP) but at a limit; the first: " + cutShort.get(0));
    assertEquals(requests.size(), texts.size(), "every request finished");
    return texts;
  }

  private static String decode(LoadedModel model, List<Integer> ids) {
    return model.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
  }

  /** Parses a text as exactly one JSON value, or fails naming it. */
  static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      return fail("not JSON: " + text, e);
    }
  }

  /** Every text parses and validates against the schema, with format assertions on. */
  static void assertValid(String schemaText, Collection<String> texts) {
    Schema validator = SCHEMAS.getSchema(parse(schemaText));
    for (String text : texts) {
      List<Error> errors = validator.validate(
          parse(text), ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
      assertTrue(errors.isEmpty(), () -> text + " is invalid: " + errors);
    }
  }
}
