package dev.robin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.FakeModel;
import dev.robin.api.testkit.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error row of the contract the HTTP layer owns, over real HTTP: status, type, code, param. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorContractTest {

  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer("robin.server.max-request-bytes = 64 KiB");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  static Stream<Arguments> badChatRequests() {
    String msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    return Stream.of(
        Arguments.of("{" + msgs + "}", "model", "missing_required_parameter"),
        Arguments.of("{\"model\":\"fake\"}", "messages", "missing_required_parameter"),
        Arguments.of("{\"model\":7," + msgs + "}", "model", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"messages\":\"hi\"}", "messages", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[]}", "messages", "empty_array"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[\"hi\"]}", "messages[0]", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role",
            "missing_required_parameter"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
            "messages[0].role", "invalid_value"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content",
            "missing_required_parameter"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            "messages[0].content", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
            "messages[0].content[0].type", "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"temperature\":\"hot\"}", "temperature", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"temperature\":2.5}", "temperature", "decimal_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"temperature\":-0.1}", "temperature",
            "decimal_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"top_p\":0}", "top_p", "decimal_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"top_p\":1.5}", "top_p", "decimal_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"top_k\":-1}", "top_k", "integer_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"top_k\":1.5}", "top_k", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"max_tokens\":0}", "max_tokens", "integer_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"max_tokens\":32001}", "max_tokens",
            "integer_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"max_tokens\":\"10\"}", "max_tokens", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"max_completion_tokens\":-3}", "max_completion_tokens",
            "integer_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"n\":9}", "n", "integer_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"n\":0}", "n", "integer_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"seed\":\"x\"}", "seed", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stream\":\"yes\"}", "stream", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stream_options\":{\"include_usage\":true}}",
            "stream_options", "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stream\":true,\"stream_options\":{\"include_usage\":1}}",
            "stream_options.include_usage", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stop\":5}", "stop", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop",
            "array_above_max_length"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"stop\":[\"a\",3]}", "stop[1]", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"presence_penalty\":2.1}", "presence_penalty",
            "decimal_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"frequency_penalty\":-2.1}", "frequency_penalty",
            "decimal_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logprobs\":1}", "logprobs", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logprobs\":true,\"top_logprobs\":21}", "top_logprobs",
            "integer_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"top_logprobs\":2}", "top_logprobs", "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"ignore_eos\":\"true\"}", "ignore_eos", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"user\":42}", "user", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":[1]}", "logit_bias", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":\"x\"}", "logit_bias", "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"abc\":1}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"-1\":1}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1.5\":1}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"99999999999\":1}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1\":1,\"01\":2}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"99999\":1}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1\":\"5\"}}", "logit_bias",
            "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1\":null}}", "logit_bias",
            "invalid_type"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1\":100.5}}", "logit_bias",
            "decimal_above_max_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":{\"1\":-101}}", "logit_bias",
            "decimal_below_min_value"),
        Arguments.of("{\"model\":\"fake\"," + msgs + ",\"logit_bias\":" + biasEntries(301) + "}", "logit_bias",
            "object_above_max_properties"));
  }

  /** {"0":1,"1":1,…}: {@code n} entries, all valid but for their number. */
  private static String biasEntries(int n) {
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append('"').append(i).append("\":1");
    }
    return s.append('}').toString();
  }

  @ParameterizedTest(name = "chat {1} {2}")
  @MethodSource("badChatRequests")
  void chatParameterErrors(String body, String param, String code) {
    assertError(server.post("/v1/chat/completions", body), 400, "invalid_request_error", code, param);
  }

  static Stream<Arguments> badCompletionRequests() {
    return Stream.of(
        Arguments.of("{\"model\":\"fake\"}", "prompt", "missing_required_parameter"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":12}", "prompt", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":[]}", "prompt", "empty_array"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":[\"a\",{}]}", "prompt[1]", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":[1,-2]}", "prompt[1]", "integer_below_min_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":[1,99999]}", "prompt", "invalid_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"temperature\":1.5}", "temperature",
            "decimal_above_max_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"logprobs\":6}", "logprobs", "integer_above_max_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"logprobs\":true}", "logprobs", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"echo\":\"no\"}", "echo", "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"max_tokens\":1e9}", "max_tokens",
            "integer_above_max_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"logit_bias\":{\"99999\":-100}}", "logit_bias",
            "invalid_value"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"logit_bias\":{\"3\":true}}", "logit_bias",
            "invalid_type"),
        Arguments.of("{\"model\":\"fake\",\"prompt\":\"x\",\"logit_bias\":5}", "logit_bias", "invalid_type"));
  }

  @ParameterizedTest(name = "completions {1} {2}")
  @MethodSource("badCompletionRequests")
  void completionParameterErrors(String body, String param, String code) {
    assertError(server.post("/api/v1/completions", body), 400, "invalid_request_error", code, param);
  }

  @ParameterizedTest(name = "malformed: {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", "{", "{\"model\":}", "[1,2]", "\"text\"",
      "{\"model\":\"fake\"} trailing", "nul"})
  void malformedJsonIs400(String body) {
    HttpResponse<String> r = server.post("/v1/chat/completions", body);
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = TestServer.json(r).get("error");
    assertEquals("invalid_request_error", error.get("type").asText());
    assertFalse(error.get("message").asText().isBlank());
  }

  @Test
  void unknownFieldsAreIgnored() {
    HttpResponse<String> r = server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":\"bob\"}],"
            + "\"frobnicate\":{\"deep\":[1]},\"functions_v0\":{\"1\":5},\"max_tokens\":2}");
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void unknownModelIs404() {
    for (String path : new String[] {"/v1/chat/completions", "/api/v1/completions"}) {
      HttpResponse<String> r = server.post(path,
          "{\"model\":\"nope\",\"prompt\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertError(r, 404, "invalid_request_error", "model_not_found", "model");
    }
    assertError(server.get("/v1/models/nope"), 404, "invalid_request_error", "model_not_found", "model");
  }

  @Test
  void promptLongerThanContextIs400WithLimitAndLength() {
    String longPrompt = "x".repeat(TestServer.CONTEXT + 10);
    HttpResponse<String> r = server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"" + longPrompt + "\"}");
    assertError(r, 400, "invalid_request_error", "context_length_exceeded", "prompt");
    String message = TestServer.json(r).get("error").get("message").asText();
    assertTrue(message.contains(Integer.toString(TestServer.CONTEXT)), message);
    assertTrue(message.contains(Integer.toString(TestServer.CONTEXT + 11)), message); // + BOS
    HttpResponse<String> chat = server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}");
    assertError(chat, 400, "invalid_request_error", "context_length_exceeded", "messages");
  }

  @Test
  void chatTemplateRefusalIs400() {
    HttpResponse<String> r = server.post("/v1/chat/completions",
        "{\"model\":\"fake\",\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"}]}");
    assertError(r, 400, "invalid_request_error", "invalid_value", "messages");
    assertTrue(TestServer.json(r).get("error").get("message").asText().contains("must end with a user message"));
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405() {
    assertError(server.get("/v1/nothing"), 404, "invalid_request_error", "not_found", null);
    assertError(server.get("/"), 404, "invalid_request_error", "not_found", null);
    assertError(server.post("/api/v2/models", "{}"), 404, "invalid_request_error", "not_found", null);
    HttpResponse<String> wrong = server.get("/v1/chat/completions");
    assertError(wrong, 405, "invalid_request_error", "method_not_allowed", null);
    assertEquals("POST", wrong.headers().firstValue("Allow").orElse(""));
    assertError(server.post("/api/v1/models", "{}"), 405, "invalid_request_error", "method_not_allowed", null);
    assertError(server.post("/v1/health", "{}"), 405, "invalid_request_error", "method_not_allowed", null);
    assertError(server.send(HttpRequest.newBuilder(URI.create(server.url("/v1/completions"))).DELETE().build()),
        405, "invalid_request_error", "method_not_allowed", null);
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "{\"model\":\"fake\",\"prompt\":\"" + "a".repeat(70 * 1024) + "\"}";
    for (int i = 0; i < 5; i++) { // the client must see the 413, not a reset connection
      assertError(server.post("/v1/completions", big), 413, "invalid_request_error", "request_too_large", null);
    }
    // Chunked upload without Content-Length: the limit holds on the stream too.
    HttpRequest chunked = HttpRequest.newBuilder(URI.create(server.url("/v1/chat/completions")))
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .build();
    assertError(server.send(chunked), 413, "invalid_request_error", "request_too_large", null);
  }

  @Test
  void requestsRefusedBeforeRoutingAreInTheEnvelope() throws Exception {
    String[] requests = {
      "THIS IS NOT HTTP\r\n\r\n",
      "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
      "GET /v1/" + "a".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "Q /v1/models HTTP/1.1\r\nHost: x\r\n\r\n", // an unknown method: Pekko's 501, a client's mistake
      "BREW /v1/models HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    for (String request : requests) {
      String response = rawExchange(request);
      String head = response.substring(0, response.indexOf("\r\n"));
      int status = Integer.parseInt(head.split(" ")[1]);
      assertTrue(status >= 400 && status < 500, request + " -> " + head);
      assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), response);
      JsonNode error = dev.robin.api.json.Json.MAPPER.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
          .get("error");
      assertNotNull(error, response);
      assertEquals("invalid_request_error", error.get("type").asText(), response);
      assertFalse(error.get("code").asText().isBlank(), response);
      assertFalse(error.get("message").asText().isBlank(), response);
    }
  }

  /** Sends raw bytes and reads until the server closes or a complete JSON body has arrived. */
  private String rawExchange(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", URI.create(server.url("/")).getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = s.getInputStream().read(buf)) > 0) {
        out.write(buf, 0, n);
        String sofar = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        int body = sofar.indexOf("\r\n\r\n");
        if (body > 0 && sofar.trim().endsWith("}}")) {
          break;
        }
      }
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void overloadedModelIs503WithRetryAfter() {
    FakeModel busy = new FakeModel("busy", FakeModel.Script.of(server.ids("Hello")).overloadedModel());
    server.addModel("busy", busy, 64, true);
    for (boolean stream : new boolean[] {false, true}) {
      HttpResponse<String> r = server.post("/v1/chat/completions",
          "{\"model\":\"busy\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertError(r, 503, "server_error", "server_overloaded", null);
      assertTrue(Integer.parseInt(r.headers().firstValue("Retry-After").orElse("0")) >= 1);
    }
  }

  @Test
  void internalFailureIs500WithoutInternals() {
    dev.robin.api.testkit.FakeTokenizer broken = new dev.robin.api.testkit.FakeTokenizer() {
      @Override
      public int[] encode(String text, boolean addSpecialTokens) {
        throw new IllegalStateException("secret internal detail");
      }
    };
    FakeModel fake = new FakeModel("broken", FakeModel.Script.of(server.ids("Hello")));
    org.apache.pekko.actor.typed.ActorRef<dev.robin.serving.replica.ModelActor.Command> ref =
        server.system.systemActorOf(fake.behavior(), "broken-model", org.apache.pekko.actor.typed.Props.empty());
    server.registry.register(new dev.robin.api.model.ServedModel("broken", 1, "robin", 64, 1, broken,
        new dev.robin.api.testkit.FakeChatTemplate(), ref.narrow(), fake.stats::get));
    HttpResponse<String> r = server.post("/v1/completions", "{\"model\":\"broken\",\"prompt\":\"x\"}");
    assertError(r, 500, "server_error", "internal_error", null);
    assertFalse(r.body().contains("secret"), r.body());
    assertFalse(r.body().contains("Exception"), r.body());
    assertFalse(r.body().contains("at dev.robin"), r.body());
  }

  private static void assertError(HttpResponse<String> r, int status, String type, String code, String param) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
    assertNotNull(r.headers().firstValue("x-request-id").orElse(null), "x-request-id missing");
    JsonNode error = TestServer.json(r).get("error");
    assertNotNull(error, r.body());
    assertEquals(type, error.get("type").asText(), r.body());
    assertEquals(code, error.get("code").isNull() ? null : error.get("code").asText(), r.body());
    assertEquals(param, error.get("param").isNull() ? null : error.get("param").asText(), r.body());
    assertTrue(error.has("message") && !error.get("message").asText().isBlank(), r.body());
  }
}
