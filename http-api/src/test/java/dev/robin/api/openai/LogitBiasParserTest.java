package dev.robin.api.openai;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.engine.sampling.LogitBias;
import org.junit.jupiter.api.Test;

class LogitBiasParserTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static String entries(int n) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append('"').append(i).append("\":").append(i % 2 == 0 ? -100 : 100);
    }
    return s.append('}').toString();
  }

  @Test
  void acceptsTokenIdsAsStringsWithIntegerOrDecimalBiases() throws Exception {
    LogitBias bias = LogitBiasParser.parse(json("{\"50256\":-100,\"7\":2.5,\"0\":100}"));
    assertEquals(3, bias.size());
    assertEquals(-100f, bias.biasOf(50256));
    assertEquals(2.5f, bias.biasOf(7));
    assertEquals(100f, bias.biasOf(0));
    assertEquals(0f, bias.biasOf(8));
    assertEquals(50256, bias.maxTokenId());
  }

  @Test
  void acceptsExactlyTheLimitAndRefusesOneMore() throws Exception {
    assertEquals(LogitBiasParser.MAX_ENTRIES,
        LogitBiasParser.parse(json(entries(LogitBiasParser.MAX_ENTRIES))).size());
    ApiError e = error(() -> LogitBiasParser.parse(json(entries(LogitBiasParser.MAX_ENTRIES + 1))));
    assertEquals("object_above_max_properties", e.code());
    assertTrue(e.message().contains(Integer.toString(LogitBiasParser.MAX_ENTRIES)), e.message());
  }

  @Test
  void vocabularyCheckNamesTheOffendingId() throws Exception {
    LogitBias bias = LogitBiasParser.parse(json("{\"5\":1,\"32000\":1}"));
    assertDoesNotThrow(() -> LogitBiasParser.checkVocabulary(bias, 32001));
    ApiError e = error(() -> {
      LogitBiasParser.checkVocabulary(bias, 32000);
      return null;
    });
    assertEquals(400, e.status());
    assertEquals(ApiError.INVALID_REQUEST, e.type());
    assertEquals("invalid_value", e.code());
    assertEquals("logit_bias", e.param());
    assertTrue(e.message().contains("32000"), e.message());
    assertDoesNotThrow(() -> LogitBiasParser.checkVocabulary(LogitBias.NONE, 1));
  }

  @Test
  void everyMalformedFormIsA400OnLogitBias() {
    String[][] cases = {
      {"[1]", "invalid_type"},
      {"true", "invalid_type"},
      {"{\"x\":1}", "invalid_value"},
      {"{\"\":1}", "invalid_value"},
      {"{\" 1\":1}", "invalid_value"},
      {"{\"-3\":1}", "invalid_value"},
      {"{\"2147483648\":1}", "invalid_value"},
      {"{\"1\":1,\"001\":1}", "invalid_value"},
      {"{\"1\":\"1\"}", "invalid_type"},
      {"{\"1\":[1]}", "invalid_type"},
      {"{\"1\":-100.01}", "decimal_below_min_value"},
      {"{\"1\":1e3}", "decimal_above_max_value"},
    };
    for (String[] c : cases) {
      ApiError e = error(() -> LogitBiasParser.parse(json(c[0])));
      assertEquals(400, e.status(), c[0]);
      assertEquals(ApiError.INVALID_REQUEST, e.type(), c[0]);
      assertEquals(c[1], e.code(), c[0]);
      assertEquals("logit_bias", e.param(), c[0]);
    }
  }

  private interface Parse {
    Object run() throws Exception;
  }

  private static ApiError error(Parse parse) {
    return assertThrows(ApiException.class, parse::run).error();
  }
}
