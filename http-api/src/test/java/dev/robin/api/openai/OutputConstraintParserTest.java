package dev.robin.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import dev.robin.engine.grammar.OutputConstraint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** response_format and vLLM's guided_* become one output constraint, or a 400 naming the field. */
class OutputConstraintParserTest {

  private static OutputConstraint parse(String body) throws Exception {
    return OutputConstraintParser.parse(JsonFields.root(Json.MAPPER.readTree(body)));
  }

  private static ApiError refused(String body) {
    return assertThrows(ApiException.class, () -> parse(body)).error();
  }

  @Test
  void openAisResponseFormats() throws Exception {
    assertNull(parse("{}"));
    assertNull(parse("{\"response_format\":{\"type\":\"text\"}}"));
    assertEquals(OutputConstraint.jsonObject(), parse("{\"response_format\":{\"type\":\"json_object\"}}"));
    OutputConstraint schema = parse("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
        + "\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}}}}");
    assertEquals(OutputConstraint.Kind.JSON_SCHEMA, schema.kind());
    assertEquals("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}", schema.source());
  }

  @Test
  void vllmsGuidedFields() throws Exception {
    assertEquals(OutputConstraint.regex("[0-9]+"), parse("{\"guided_regex\":\"[0-9]+\"}"));
    assertEquals(OutputConstraint.choice(List.of("a", "b")), parse("{\"guided_choice\":[\"a\",\"b\"]}"));
    assertEquals(OutputConstraint.Kind.JSON_SCHEMA, parse("{\"guided_json\":{\"type\":\"boolean\"}}").kind());
  }

  @Test
  void mistakesAreRefusedNamingTheField() {
    ApiError unknown = refused("{\"response_format\":{\"type\":\"nonsense\"}}");
    assertEquals(400, unknown.status());
    assertEquals("response_format.type", unknown.param());
    assertEquals("response_format.json_schema",
        refused("{\"response_format\":{\"type\":\"json_schema\"}}").param());
    assertEquals("response_format", refused("{\"response_format\":\"json\"}").param());
    ApiError keyword = refused("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
        + "\"schema\":{\"type\":\"array\",\"uniqueItems\":true}}}}");
    assertEquals("response_format", keyword.param());
    assertTrue(keyword.message().contains("uniqueItems"), keyword.message());
    assertEquals("guided_regex", refused("{\"guided_regex\":\"(unclosed\"}").param());
    assertEquals("guided_choice", refused("{\"guided_choice\":[]}").param());
    assertEquals("guided_choice[1]", refused("{\"guided_choice\":[\"a\",2]}").param());
    assertEquals("guided_regex",
        refused("{\"response_format\":{\"type\":\"json_object\"},\"guided_regex\":\"a\"}").param(),
        "one constraint, not two");
  }
}
