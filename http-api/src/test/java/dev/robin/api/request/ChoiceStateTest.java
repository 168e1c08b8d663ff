package dev.robin.api.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.request.FinishReason;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.testkit.TestModels;
import dev.robin.engine.tokenizer.HuggingFaceTextTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A choice's text continues its prompt: with the real stories260k tokenizer, feeding the golden output ids one
 * by one gives exactly the reference text, including the first word's leading space (SentencePiece drops it
 * only at the start of a sequence). A fast guard for what the e2e tests found over HTTP.
 */
class ChoiceStateTest {

  @Test
  void streamedTextOfEveryGoldenCaseEqualsTheReference() throws Exception {
    JsonNode golden = new ObjectMapper().readTree(TestModels.stories260kGoldenFile().toFile());
    try (HuggingFaceTextTokenizer tokenizer =
        HuggingFaceTextTokenizer.load(TestModels.stories260k())) {
      for (JsonNode c : golden.get("cases")) {
        int[] promptIds = ids(c.get("prompt_ids"));
        ChoiceState choice = new ChoiceState(0, 0, "s", tokenizer, promptIds, List.of(), false, "", null);
        StringBuilder streamed = new StringBuilder();
        for (int id : ids(c.get("output_ids"))) {
          streamed.append(choice.onTokens(List.of(SampledToken.of(id))).text());
        }
        streamed.append(choice.onFinished(FinishReason.LENGTH).text());
        assertEquals(c.get("output_text").asText(), streamed.toString(), "prompt \"" + c.get("prompt").asText() + "\"");
        assertEquals(streamed.toString(), choice.text());
      }
    }
  }

  private static int[] ids(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
