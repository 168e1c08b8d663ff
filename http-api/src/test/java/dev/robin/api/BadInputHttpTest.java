package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Client mistakes through the real server: a 400 in the error envelope naming the parameter, never a 500. */
class BadInputHttpTest {

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = new TestServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "/v1/chat/completions|\"user\":\"%513\"|user",
      "/v1/chat/completions|\"stop\":\"%1025\"|stop",
      "/v1/chat/completions|\"stop\":[\"a\",\"%100000\"]|stop[1]",
      "/v1/completions|\"stop\":\"%1025\"|stop",
      "/v1/chat/completions|\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"%257\"}}]|tools[0].function.name",
      "/v1/completions|\"user\":\"%100000\"|user",
  })
  void overlongStringsAre400sNamingTheParameter(String path, String fields, String param) {
    // %N stands for a string of N characters.
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("%(\\d+)").matcher(fields);
    badNumbersAre400sNamingTheParameter(path, m.replaceAll(r -> "x".repeat(Integer.parseInt(r.group(1)))), param);
  }

  @org.junit.jupiter.api.Test
  void anOverlongModelIdIsA400NotALookup() {
    HttpResponse<String> response = server.post("/v1/chat/completions", "{\"model\":\"" + "m".repeat(300)
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("model", TestServer.json(response).get("error").get("param").asText());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "/v1/chat/completions|\"max_tokens\":1e309|max_tokens",
      "/v1/chat/completions|\"n\":-1e309|n",
      "/v1/chat/completions|\"seed\":12345678901234567890123|seed",
      "/v1/chat/completions|\"top_k\":1e400|top_k",
      "/v1/chat/completions|\"logprobs\":true,\"top_logprobs\":1.5|top_logprobs",
      "/v1/chat/completions|\"min_tokens\":1e309|min_tokens",
      "/v1/chat/completions|\"max_completion_tokens\":-0.0|max_completion_tokens",
      "/v1/chat/completions|\"temperature\":-1e309|temperature",
      "/v1/chat/completions|\"logit_bias\":{\"1e309\":1}|logit_bias",
      "/v1/chat/completions|\"logit_bias\":{\"5\":1e309}|logit_bias",
      "/v1/completions|\"logprobs\":1e309|logprobs",
      "/v1/completions|\"prompt\":[1,1e309]|prompt[1]",
  })
  void badNumbersAre400sNamingTheParameter(String path, String fields, String param) {
    String body = path.endsWith("chat/completions")
        ? "{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + fields + "}"
        : "{\"model\":\"fake\"," + (fields.startsWith("\"prompt\"") ? "" : "\"prompt\":\"hi\",") + fields + "}";
    HttpResponse<String> response = server.post(path, body);
    assertEquals(400, response.statusCode(), response.body());
    JsonNode error = TestServer.json(response).get("error");
    assertEquals(param, error.get("param").asText(), response.body());
    assertEquals("invalid_request_error", error.get("type").asText());
    assertEquals(true, error.has("code") && error.has("message"), response.body());
  }
}
