package dev.robin.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code logit_bias} through HTTP on the real stories260k model: banning the token greedy decoding would
 * produce first changes the first token and keeps it out of the whole completion, greedy or sampled, and
 * +100 forces a token at every step.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RealServer.Resolver.class)
class LogitBiasE2ETest {

  private static final int MAX_TOKENS = 12;

  private RealServer server;
  private JsonNode golden;

  @BeforeAll
  void start(RealServer server) {
    this.server = server;
    golden = server.goldenCases().get(0);
  }

  @Test
  void banningTheGreedyFirstTokenChangesItAndItNeverAppears() throws Exception {
    int banned = golden.get("output_ids").get(0).asInt();
    String bannedText = greedyTokenText(0);

    JsonNode biased = complete(request(0.0, 1, "{\"" + banned + "\":-100}"));
    List<String> tokens = tokens(biased, 0);
    assertEquals(MAX_TOKENS, tokens.size());
    assertNotEquals(bannedText, tokens.get(0));
    assertTrue(!tokens.contains(bannedText), "banned token in " + tokens);
    // The reported alternatives come from the biased distribution: the banned token is not among them.
    for (JsonNode top : biased.get("choices").get(0).get("logprobs").get("top_logprobs")) {
      assertTrue(!top.has(bannedText) || top.get(bannedText).asDouble() < -50, top.toString());
    }
  }

  @Test
  void bannedTokenNeverAppearsInAnySampledChoice() throws Exception {
    int banned = golden.get("output_ids").get(0).asInt();
    String bannedText = greedyTokenText(0);
    ObjectNode request = request(1.0, 0, "{\"" + banned + "\":-100}");
    request.put("seed", 7).put("n", 3);
    JsonNode response = complete(request);
    for (int choice = 0; choice < 3; choice++) {
      List<String> tokens = tokens(response, choice);
      assertTrue(!tokens.contains(bannedText), "choice " + choice + ": " + tokens);
    }
  }

  @Test
  void plusHundredForcesTheTokenAtEveryStep() throws Exception {
    int forced = golden.get("output_ids").get(1).asInt();
    String forcedText = greedyTokenText(1);
    for (double temperature : new double[] {0.0, 1.0}) {
      ObjectNode request = request(temperature, 0, "{\"" + forced + "\":100}");
      request.put("seed", 3);
      List<String> tokens = tokens(complete(request), 0);
      assertEquals(MAX_TOKENS, tokens.size());
      assertTrue(tokens.stream().allMatch(forcedText::equals), temperature + ": " + tokens);
    }
  }

  /**
   * The text of the golden output's token at {@code position} as the server reports it in logprobs (with its
   * leading space, which decoding the id alone would drop).
   */
  private String greedyTokenText(int position) throws Exception {
    JsonNode plain = complete(request(0.0, 0, null));
    assertEquals(golden.get("output_text").asText().substring(0, 10),
        plain.get("choices").get(0).get("text").asText().substring(0, 10), "unbiased greedy output is the golden one");
    return tokens(plain, 0).get(position);
  }

  private ObjectNode request(double temperature, int logprobs, String logitBias) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", RealServer.MODEL).put("prompt", golden.get("prompt").asText()).put("max_tokens", MAX_TOKENS)
        .put("temperature", temperature).put("logprobs", logprobs).put("ignore_eos", true);
    if (logitBias != null) {
      body.set("logit_bias", Json.MAPPER.readTree(logitBias));
    }
    return body;
  }

  private JsonNode complete(ObjectNode body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
            .header("Authorization", "Bearer " + server.key()).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private static List<String> tokens(JsonNode response, int choice) {
    List<String> tokens = new ArrayList<>();
    response.get("choices").get(choice).get("logprobs").get("tokens").forEach(t -> tokens.add(t.asText()));
    return tokens;
  }
}
