package dev.robin.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import org.junit.jupiter.api.Test;

/** The shared generation parameters as OpenAI defines them. */
class GenerationOptionsTest {

  private static GenerationOptions parse(String body) throws Exception {
    return GenerationOptions.parse(JsonFields.root(Json.MAPPER.readTree(body)), 2, 32000);
  }

  @Test
  void maxCompletionTokensWinsOverTheDeprecatedMaxTokens() throws Exception {
    assertEquals(7, parse("{\"max_tokens\":7}").maxTokens());
    assertEquals(9, parse("{\"max_completion_tokens\":9}").maxTokens());
    assertEquals(9, parse("{\"max_tokens\":7,\"max_completion_tokens\":9}").maxTokens());
    assertEquals(9, parse("{\"max_completion_tokens\":9,\"max_tokens\":7}").maxTokens());
    assertNull(parse("{}").maxTokens());
  }

  @Test
  void minTokensIsReadAndMayNotExceedMaxTokens() throws Exception {
    assertEquals(0, parse("{}").minTokens());
    assertEquals(5, parse("{\"min_tokens\":5,\"max_tokens\":8}").minTokens());
    ApiException tooMany = assertThrows(ApiException.class, () -> parse("{\"min_tokens\":9,\"max_tokens\":8}"));
    assertEquals("min_tokens", tooMany.error().param());
    assertEquals(400, tooMany.error().status());
    assertEquals("min_tokens",
        assertThrows(ApiException.class, () -> parse("{\"min_tokens\":-1}")).error().param());
  }

  @Test
  void repetitionPenaltyIsReadAndMustBePositive() throws Exception {
    assertEquals(1.0, parse("{}").repetitionPenalty());
    assertEquals(1.2, parse("{\"repetition_penalty\":1.2}").repetitionPenalty());
    for (String bad : new String[] {"0", "-1", "11", "\"high\""}) {
      ApiException e = assertThrows(ApiException.class, () -> parse("{\"repetition_penalty\":" + bad + "}"));
      assertEquals("repetition_penalty", e.error().param(), bad);
      assertEquals(400, e.error().status());
    }
  }
}
