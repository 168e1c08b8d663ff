package dev.robin.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import dev.robin.api.openai.ChatCompletionRequest;
import dev.robin.api.openai.CompletionRequest;
import dev.robin.api.route.BodyReader;
import dev.robin.engine.chat.ChatTemplateException;
import dev.robin.engine.chat.JinjaChatTemplate;
import dev.robin.engine.synthetic.SyntheticTokenizer;
import dev.robin.engine.testkit.TestModels;
import dev.robin.engine.testkit.ToolCallReading;
import dev.robin.engine.tokenizer.HuggingFaceTextTokenizer;
import dev.robin.engine.tokenizer.IncrementalDetokenizer;
import dev.robin.engine.tokenizer.TextTokenizer;
import dev.robin.engine.toolcall.ToolCallExtractor;
import dev.robin.engine.toolcall.ToolCallFormat;
import java.io.IOException;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of what a client controls: a chat or completion body goes through the request
 * parsers (and, when valid, the chat template with its tools), a prompt through Qwen3's real tokenizer, model output
 * through the tool-call reader. A client's
 * mistake may only be an {@link ApiException} with a 4xx status (or the template's own refusal); anything else
 * thrown is a bug that would be a 500. Every build replays the seeds and the findings committed under
 * {@code RequestParsingFuzzTestInputs/}; {@code mvn verify} also fuzzes each target for a bounded time.
 */
@Tag("fuzz")
class RequestParsingFuzzTest {

  private static final JinjaChatTemplate TEMPLATE = new JinjaChatTemplate(
      SyntheticTokenizer.CHAT_TEMPLATE, SyntheticTokenizer.BOS, SyntheticTokenizer.EOS);

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      return null; // not JSON: the body reader's 400, fuzzed elsewhere
    }
  }

  private static void assertClientError(ApiException e) {
    int status = e.error().status();
    assertTrue(status >= 400 && status < 500, "a client's mistake answered " + status + ": " + e.getMessage());
  }

  @FuzzTest(maxDuration = "30s")
  void chatCompletionBodies(FuzzedDataProvider data) {
    JsonNode body = json(data.consumeRemainingAsString());
    if (body == null) {
      return;
    }
    ChatCompletionRequest request;
    try {
      request = ChatCompletionRequest.parse(body, 4096).request();
    } catch (ApiException e) {
      assertClientError(e);
      return;
    }
    try {
      TEMPLATE.render(request.messages(), request.tools().isActive() ? request.tools().tools() : null, true);
    } catch (ChatTemplateException e) {
      // the template's refusal: a 400 naming messages
    }
  }

  @FuzzTest(maxDuration = "30s")
  void completionBodies(FuzzedDataProvider data) {
    JsonNode body = json(data.consumeRemainingAsString());
    if (body == null) {
      return;
    }
    try {
      CompletionRequest.parse(body, 4096);
    } catch (ApiException e) {
      assertClientError(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void promptsThroughARealTokenizer(FuzzedDataProvider data) {
    // Qwen3's 151k byte-level BPE (Rust, through DJL): any text a body can carry — the body reader has already
    // refused lone surrogates — encodes to ids in the vocabulary, which decode, whole and one by one.
    String text = data.consumeRemainingAsString();
    if (BodyReader.hasLoneSurrogate(text)) {
      return;
    }
    TextTokenizer tokenizer = qwen3();
    int[] ids = tokenizer.encode(text, data.remainingBytes() % 2 == 0);
    for (int id : ids) {
      assertTrue(id >= 0 && id < tokenizer.vocabSize(), "id " + id);
    }
    tokenizer.decode(ids, false);
    IncrementalDetokenizer detokenizer = tokenizer.newDetokenizer();
    for (int id : ids) {
      detokenizer.push(id);
    }
    detokenizer.flush();
  }

  private static TextTokenizer qwen3Tokenizer;

  private static synchronized TextTokenizer qwen3() {
    if (qwen3Tokenizer == null) {
      qwen3Tokenizer = HuggingFaceTextTokenizer.load(TestModels.qwen3Tokenizer());
    }
    return qwen3Tokenizer;
  }

  @FuzzTest(maxDuration = "30s")
  void modelOutputWithToolCalls(FuzzedDataProvider data) {
    ToolCallFormat format = data.pickValue(ToolCallFormat.values());
    int mode = data.consumeInt(0, 2);
    java.util.List<String> pieces = new java.util.ArrayList<>();
    while (data.remainingBytes() > 0) {
      pieces.add(data.consumeString(1 + data.consumeInt(0, 40)));
    }
    // What the extractor promises: the same text and calls however the output is cut (streamed = whole).
    ToolCallExtractor.Output streamed = ToolCallReading.read(extractor(mode, format), pieces);
    ToolCallExtractor.Output whole =
        ToolCallReading.read(extractor(mode, format), java.util.List.of(String.join("", pieces)));
    // Compared as JSON so that invisible characters show in a failure.
    org.junit.jupiter.api.Assertions.assertEquals(visible(whole), visible(streamed), () -> "cut as " + visible(pieces));
  }

  private static String visible(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ToolCallExtractor extractor(int mode, ToolCallFormat format) {
    return mode == 0 ? ToolCallExtractor.of(format) : mode == 1 ? ToolCallExtractor.callsJson()
        : ToolCallExtractor.argumentsOf("f");
  }

}
