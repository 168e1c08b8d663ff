package dev.robin.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.api.error.ApiError;
import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every number a request carries goes through {@link JsonFields}' one path: whatever the literal, a bad one is a
 * 400 naming its parameter, never an exception that becomes a 500.
 */
class NumberParsingTest {

  /** Literals no integer parameter accepts: beyond a double, beyond a long, fractional. */
  static final List<String> BAD_INTEGERS = List.of(
      "1e309", "-1e309", "1e400", "-1e400", "1E999999999", "1.5", "-0.5", "12345678901234567890123",
      "-12345678901234567890123", "9223372036854775808", "1e19", "99999999999999999999.5", "\"7\"", "true", "[1]");

  /** Literals no decimal parameter accepts (every range is small). */
  static final List<String> BAD_DECIMALS = List.of(
      "1e309", "-1e309", "1e400", "-1e400", "12345678901234567890123", "-12345678901234567890123", "\"0.5\"");

  /** Where a parameter goes in which request: {@code %s} is the value. */
  private record Field(String param, String kind, String body) {}

  private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],%s}";
  private static final String TEXT = "{\"model\":\"m\",\"prompt\":\"hi\",%s}";

  static final List<Field> INTEGER_FIELDS = List.of(
      new Field("max_tokens", "chat", "\"max_tokens\":%s"),
      new Field("max_completion_tokens", "chat", "\"max_completion_tokens\":%s"),
      new Field("n", "chat", "\"n\":%s"),
      new Field("top_logprobs", "chat", "\"logprobs\":true,\"top_logprobs\":%s"),
      new Field("seed", "chat", "\"seed\":%s"),
      new Field("top_k", "chat", "\"top_k\":%s"),
      new Field("min_tokens", "chat", "\"min_tokens\":%s"),
      new Field("max_tokens", "text", "\"max_tokens\":%s"),
      new Field("n", "text", "\"n\":%s"),
      new Field("seed", "text", "\"seed\":%s"),
      new Field("logprobs", "text", "\"logprobs\":%s"),
      new Field("prompt[1]", "raw-text", "{\"model\":\"m\",\"prompt\":[5,%s]}"),
      new Field("prompt[1][0]", "raw-text", "{\"model\":\"m\",\"prompt\":[[5],[%s]]}"));

  static final List<Field> DECIMAL_FIELDS = List.of(
      new Field("temperature", "chat", "\"temperature\":%s"),
      new Field("top_p", "chat", "\"top_p\":%s"),
      new Field("presence_penalty", "chat", "\"presence_penalty\":%s"),
      new Field("frequency_penalty", "chat", "\"frequency_penalty\":%s"),
      new Field("min_p", "chat", "\"min_p\":%s"),
      new Field("repetition_penalty", "chat", "\"repetition_penalty\":%s"),
      new Field("temperature", "text", "\"temperature\":%s"),
      new Field("logit_bias", "chat", "\"logit_bias\":{\"5\":%s}"),
      new Field("logit_bias", "text", "\"logit_bias\":{\"5\":%s}"));

  static Stream<Arguments> badIntegers() {
    return INTEGER_FIELDS.stream().flatMap(f -> BAD_INTEGERS.stream().map(v -> Arguments.of(f.param(), f, v)));
  }

  static Stream<Arguments> badDecimals() {
    return DECIMAL_FIELDS.stream().flatMap(f -> BAD_DECIMALS.stream().map(v -> Arguments.of(f.param(), f, v)));
  }

  @ParameterizedTest(name = "{0} = {2} ({1})")
  @MethodSource("badIntegers")
  void everyIntegerFieldRefusesEveryBadLiteralWithA400NamingIt(String param, Field field, String value) {
    assertRefused(field, value, param);
  }

  @ParameterizedTest(name = "{0} = {2} ({1})")
  @MethodSource("badDecimals")
  void everyDecimalFieldRefusesEveryBadLiteralWithA400NamingIt(String param, Field field, String value) {
    assertRefused(field, value, param);
  }

  @Test
  void logitBiasKeysAreIntegersInStringsThroughTheSamePath() {
    for (String key : List.of("1e309", "-0", "1.5", "12345678901234567890123", "2147483648", "+1", "0x10", "")) {
      ApiError e = error(body("chat", "\"logit_bias\":{\"" + key + "\":1}"));
      assertEquals(400, e.status(), key);
      assertEquals("logit_bias", e.param(), key);
    }
  }

  @Test
  void integralDecimalsAndNegativeZeroAreTheirIntegers() throws Exception {
    ChatCompletionRequest chat = ChatCompletionRequest.parse(Json.MAPPER.readTree(
        CHAT.formatted("\"max_tokens\":2.0,\"seed\":-0.0,\"top_k\":1e1")), 32000).request();
    assertEquals(2, chat.options().maxTokens());
    assertEquals(0L, chat.options().seed());
    assertEquals(10, chat.options().topK());
    assertEquals("max_tokens", error(body("chat", "\"max_tokens\":-0.0")).param());
  }

  @Test
  void aHugeLiteralIsQuotedBackAbbreviated() {
    String digits = "9".repeat(900);
    ApiError e = error(body("chat", "\"max_tokens\":" + digits));
    assertEquals("integer_above_max_value", e.code());
    assertTrue(e.message().length() < 300, e.message());
  }

  private static void assertRefused(Field field, String value, String param) {
    String body = field.kind().equals("raw-text") ? field.body().formatted(value) : body(field.kind(),
        field.body().formatted(value));
    ApiError e = error(body);
    assertEquals(400, e.status(), body);
    assertEquals(ApiError.INVALID_REQUEST, e.type(), body);
    assertEquals(param, e.param(), body);
  }

  private static String body(String kind, String fields) {
    return (kind.equals("chat") ? CHAT : TEXT).formatted(fields);
  }

  private static ApiError error(String body) {
    return assertThrows(ApiException.class, () -> {
      if (body.contains("\"messages\"")) {
        ChatCompletionRequest.parse(Json.MAPPER.readTree(body), 32000);
      } else {
        CompletionRequest.parse(Json.MAPPER.readTree(body), 32000);
      }
    }, body).error();
  }
}
