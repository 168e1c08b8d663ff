package dev.robin.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiException;
import dev.robin.api.json.Json;
import dev.robin.api.openai.ChatCompletionRequest;
import dev.robin.api.openai.CompletionRequest;
import dev.robin.engine.chat.ChatTemplateException;
import dev.robin.engine.chat.JinjaChatTemplate;
import dev.robin.engine.synthetic.SyntheticTokenizer;
import dev.robin.engine.toolcall.ToolCallExtractor;
import dev.robin.engine.toolcall.ToolCallFormat;
import java.io.IOException;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of what a client controls: a chat or completion body goes through the request
 * parsers (and, when valid, the chat template with its tools), model output through the tool-call reader. A client's
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
  void modelOutputWithToolCalls(FuzzedDataProvider data) {
    ToolCallFormat format = data.pickValue(ToolCallFormat.values());
    ToolCallExtractor extractor = data.consumeBoolean()
        ? ToolCallExtractor.of(format) : data.consumeBoolean() ? ToolCallExtractor.callsJson()
        : ToolCallExtractor.argumentsOf("f");
    StringBuilder content = new StringBuilder();
    int calls = 0;
    while (data.remainingBytes() > 0) {
      ToolCallExtractor.Output out = extractor.push(data.consumeString(1 + data.consumeInt(0, 40)));
      content.append(out.content());
      calls += out.calls().size();
    }
    ToolCallExtractor.Output last = extractor.finish();
    content.append(last.content());
    calls += last.calls().size();
    assertTrue(calls >= 0 && content.length() >= 0);
  }
}
