package dev.robin.api;

import static dev.robin.engine.testkit.Eventually.eventually;

import dev.robin.engine.request.GenerationRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.testkit.TestServer;
import dev.robin.serving.stats.ModelStats;
import dev.robin.engine.sampling.LogitBias;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Whole (non-streamed) chat and text completions against a scripted fake model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompletionsTest {

  private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
  private TestServer server;

  @BeforeAll
  void start() {
    server = new TestServer();
  }

  @AfterAll
  void stop() {
    eventually(Duration.ofSeconds(2),
        () -> assertEquals(0, server.server.numInFlight(), "every request actor stopped"));
    server.close();
  }

  @Test
  void chatCompletionHasTheContractShape() {
    HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\":\"fake\"," + HI + "}");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("x-request-id").isPresent());
    JsonNode body = TestServer.json(r);
    assertTrue(body.get("id").asText().startsWith("chatcmpl-"));
    assertEquals("chat.completion", body.get("object").asText());
    assertEquals("fake", body.get("model").asText());
    assertTrue(body.get("created").asLong() > 1_600_000_000L);
    assertTrue(body.get("system_fingerprint").asText().startsWith("fp_"));
    JsonNode choice = body.get("choices").get(0);
    assertEquals(0, choice.get("index").asInt());
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals(TestServer.SCRIPT_TEXT, choice.get("message").get("content").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    assertTrue(choice.get("logprobs").isNull());
    int promptTokens = server.tokenizer.encode("<s>[user]hi\n[assistant]", false).length;
    JsonNode usage = body.get("usage");
    assertEquals(promptTokens, usage.get("prompt_tokens").asInt());
    int completion = server.ids(TestServer.SCRIPT_TEXT).size() + 1; // + EOS
    assertEquals(completion, usage.get("completion_tokens").asInt());
    assertEquals(promptTokens + completion, usage.get("total_tokens").asInt());
    assertEquals(0, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
  }

  @Test
  void samplingParametersReachTheModel() {
    server.post("/v1/chat/completions", "{\"model\":\"fake\"," + HI + ",\"temperature\":0.3,\"top_p\":0.9,"
        + "\"top_k\":40,\"seed\":1234,\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,\"n\":3,"
        + "\"max_tokens\":2,\"ignore_eos\":true}");
    List<GenerationRequest> gens = lastGenerates(3);
    for (int i = 0; i < 3; i++) {
      GenerationRequest g = gens.get(i);
      assertEquals(0.3, g.sampling().temperature(), 1e-9);
      assertEquals(0.9, g.sampling().topP(), 1e-9);
      assertEquals(40, g.sampling().topK());
      assertEquals(0.5, g.sampling().presencePenalty(), 1e-9);
      assertEquals(-0.5, g.sampling().frequencyPenalty(), 1e-9);
      assertEquals(-1, g.sampling().topLogprobs());
      assertEquals(2, g.maxTokens());
      assertTrue(g.ignoreEos());
    }
    // n choices get distinct seeds derived from the request's.
    assertEquals(List.of(1234L, 1235L, 1236L), gens.stream().map(g -> g.sampling().seed()).toList());
  }

  @Test
  void logitBiasReachesTheModelForEveryChoice() {
    HttpResponse<String> r = server.post("/v1/chat/completions", "{\"model\":\"fake\"," + HI
        + ",\"temperature\":0,\"n\":2,\"max_tokens\":2,\"logit_bias\":{\"3\":-100,\"05\":100,\"7\":0.5}}");
    assertEquals(200, r.statusCode(), r.body());
    LogitBias expected = LogitBias.of(new int[] {3, 5, 7}, new float[] {-100f, 100f, 0.5f});
    for (GenerationRequest g : lastGenerates(2)) {
      assertEquals(expected, g.sampling().logitBias());
    }
    HttpResponse<String> text = server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":1,\"logit_bias\":{\"2\":-1}}");
    assertEquals(200, text.statusCode(), text.body());
    assertEquals(LogitBias.of(new int[] {2}, new float[] {-1f}), lastGenerates(1).get(0).sampling().logitBias());
    // An empty object or null is no bias at all, as is leaving it out.
    server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":1,\"logit_bias\":{}}");
    assertTrue(lastGenerates(1).get(0).sampling().logitBias().isEmpty());
    server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":1,\"logit_bias\":null}");
    assertTrue(lastGenerates(1).get(0).sampling().logitBias().isEmpty());
  }

  @Test
  void maxTokensEndsWithLength() {
    JsonNode body = TestServer.json(
        server.post("/v1/chat/completions", "{\"model\":\"fake\"," + HI + ",\"max_tokens\":3}"));
    JsonNode choice = body.get("choices").get(0);
    assertEquals("Hello world!", choice.get("message").get("content").asText());
    assertEquals("length", choice.get("finish_reason").asText());
    assertEquals(3, body.get("usage").get("completion_tokens").asInt());
  }

  @Test
  void ignoreEosGeneratesExactlyMaxTokens() {
    JsonNode body = TestServer.json(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"a\",\"max_tokens\":10,\"ignore_eos\":true}"));
    assertEquals(10, body.get("usage").get("completion_tokens").asInt());
    assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void promptThatFitsButLeavesLessRoomThanMaxTokensGeneratesUntilTheContextIsFull() {
    // 61 characters + BOS = 62 prompt tokens in a 64-token context: room for 2.
    JsonNode body = TestServer.json(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"" + "x".repeat(61) + "\"}"));
    assertEquals("Hello world", body.get("choices").get(0).get("text").asText());
    assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
    assertEquals(62, body.get("usage").get("prompt_tokens").asInt());
    // The replica stops at the end of the context; the route no longer clips max_tokens itself.
    assertEquals(2, body.get("usage").get("completion_tokens").asInt());
  }

  @Test
  void stopStringAcrossTokensIsCutAndCancelsTheSequence() {
    int cancelsBefore = server.model.cancels().size();
    JsonNode body = TestServer.json(server.post("/v1/chat/completions",
        "{\"model\":\"fake\"," + HI + ",\"stop\":[\"zzz\",\"d! T\"]}"));
    JsonNode choice = body.get("choices").get(0);
    assertEquals("Hello worl", choice.get("message").get("content").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    assertEquals(4, body.get("usage").get("completion_tokens").asInt()); // Hello, world, !, The
    assertEquals(cancelsBefore + 1, server.model.cancels().size());
    assertEquals(lastGenerates(1).get(0).id(), server.model.cancels().get(cancelsBefore).requestId());
  }

  @Test
  void stopStringThatNeverCompletesIsReturnedAtTheEnd() {
    JsonNode body = TestServer.json(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"a\",\"stop\":\"end!\"}"));
    assertEquals(TestServer.SCRIPT_TEXT, body.get("choices").get(0).get("text").asText());
    assertEquals("stop", body.get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void chatLogprobs() {
    JsonNode body = TestServer.json(server.post("/v1/chat/completions",
        "{\"model\":\"fake\"," + HI + ",\"max_tokens\":2,\"logprobs\":true,\"top_logprobs\":2}"));
    JsonNode content = body.get("choices").get(0).get("logprobs").get("content");
    assertEquals(2, content.size());
    assertEquals("Hello", content.get(0).get("token").asText());
    assertEquals(-0.25, content.get(0).get("logprob").asDouble(), 1e-6);
    assertEquals("Hello".length(), content.get(0).get("bytes").size());
    assertEquals('H', content.get(0).get("bytes").get(0).asInt());
    assertEquals(2, content.get(0).get("top_logprobs").size());
    assertEquals(server.tokenizer.tokenText(2), content.get(0).get("top_logprobs").get(0).get("token").asText());
    assertEquals(-1.0, content.get(0).get("top_logprobs").get(0).get("logprob").asDouble(), 1e-6);
    assertEquals(" world", content.get(1).get("token").asText());
    assertEquals(2, lastGenerates(1).get(0).sampling().topLogprobs());
  }

  @Test
  void completionLogprobsAndEcho() {
    JsonNode body = TestServer.json(server.post("/api/v1/completions",
        "{\"model\":\"fake\",\"prompt\":\"Say:\",\"max_tokens\":2,\"logprobs\":1,\"echo\":true}"));
    JsonNode choice = body.get("choices").get(0);
    assertEquals("text_completion", body.get("object").asText());
    assertTrue(body.get("id").asText().startsWith("cmpl-"));
    assertEquals("Say:Hello world", choice.get("text").asText());
    JsonNode lp = choice.get("logprobs");
    assertEquals(List.of("Hello", " world"), List.of(lp.get("tokens").get(0).asText(), lp.get("tokens").get(1).asText()));
    assertEquals(-0.25, lp.get("token_logprobs").get(0).asDouble(), 1e-6);
    assertEquals(1, lp.get("top_logprobs").get(0).size());
    assertEquals(4, lp.get("text_offset").get(0).asInt());
    assertEquals(9, lp.get("text_offset").get(1).asInt());
  }

  @Test
  void severalPromptsTimesNChoices() {
    JsonNode body = TestServer.json(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":[\"a\",\"bb\"],\"n\":2,\"max_tokens\":1}"));
    JsonNode choices = body.get("choices");
    assertEquals(4, choices.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(i, choices.get(i).get("index").asInt());
      assertEquals("Hello", choices.get(i).get("text").asText());
    }
    assertEquals(2 + 3, body.get("usage").get("prompt_tokens").asInt()); // each prompt counted once, + BOS
    assertEquals(4, body.get("usage").get("completion_tokens").asInt());
  }

  @Test
  void tokenIdPrompt() {
    int hello = server.tokenizer.id("Hello");
    JsonNode body = TestServer.json(server.post("/v1/completions",
        "{\"model\":\"fake\",\"prompt\":[0," + hello + "],\"max_tokens\":1,\"echo\":true}"));
    assertEquals("<s>HelloHello", body.get("choices").get(0).get("text").asText());
    int[] ids = lastGenerates(1).get(0).promptIds();
    assertEquals(List.of(0, hello), java.util.Arrays.stream(ids).boxed().toList());
  }

  @Test
  void modelFailureIs500WithItsSafeMessage() {
    server.model.failAfterTokens = 1;
    try {
      HttpResponse<String> r = server.post("/v1/completions", "{\"model\":\"fake\",\"prompt\":\"a\"}");
      assertEquals(500, r.statusCode());
      JsonNode error = TestServer.json(r).get("error");
      assertEquals("internal_error", error.get("code").asText());
      assertEquals("The model ran out of memory.", error.get("message").asText());
    } finally {
      server.model.failAfterTokens = -1;
    }
  }

  @Test
  void modelsListAndOne() {
    JsonNode list = TestServer.json(server.get("/v1/models"));
    assertEquals("list", list.get("object").asText());
    JsonNode fake = list.get("data").get(0);
    assertEquals("fake", fake.get("id").asText());
    assertEquals("model", fake.get("object").asText());
    assertEquals("robin", fake.get("owned_by").asText());
    assertEquals(TestServer.CONTEXT, fake.get("max_model_len").asInt());
    assertEquals("ready", fake.get("status").asText());
    assertEquals(1_700_000_000L, fake.get("created").asLong(), "the registered creation time");
    assertEquals(fake, TestServer.json(server.get("/api/v1/models/fake")));
  }

  @Test
  void tokenize() {
    JsonNode body = TestServer.json(server.post("/v1/tokenize", "{\"model\":\"fake\",\"prompt\":\"Hello world\"}"));
    assertEquals(3, body.get("count").asInt());
    assertEquals(List.of(0, server.tokenizer.id("Hello"), server.tokenizer.id(" world")),
        List.of(body.get("tokens").get(0).asInt(), body.get("tokens").get(1).asInt(), body.get("tokens").get(2).asInt()));
    JsonNode chat = TestServer.json(server.post("/api/v1/tokenize", "{\"model\":\"fake\"," + HI + "}"));
    assertEquals(server.tokenizer.encode("<s>[user]hi\n[assistant]", false).length, chat.get("count").asInt());
    assertEquals(400, server.post("/v1/tokenize", "{\"model\":\"fake\"}").statusCode());
  }

  @Test
  void loadingModelIs503AndHealthSaysLoading() {
    ModelStats ready = server.model.stats.get();
    server.model.stats.set(ModelStats.loading("fake", "cpu()"));
    try {
      HttpResponse<String> health = server.get("/api/v1/health");
      assertEquals(503, health.statusCode());
      assertEquals("loading", TestServer.json(health).get("status").asText());
      HttpResponse<String> chat = server.post("/v1/chat/completions", "{\"model\":\"fake\"," + HI + "}");
      assertEquals(503, chat.statusCode());
      assertEquals("server_overloaded", TestServer.json(chat).get("error").get("code").asText());
      assertTrue(chat.headers().firstValue("Retry-After").isPresent());
      assertEquals("loading", TestServer.json(server.get("/v1/models/fake")).get("status").asText());
    } finally {
      server.model.stats.set(ready);
    }
    assertEquals(200, server.get("/api/v1/health").statusCode());
  }

  /** The last {@code n} Generate commands the fake model received, in order. */
  private List<GenerationRequest> lastGenerates(int n) {
    eventually(Duration.ofSeconds(2), () -> assertFalse(server.model.generates().size() < n));
    List<GenerationRequest> all = server.model.generates();
    return all.subList(all.size() - n, all.size());
  }
}
