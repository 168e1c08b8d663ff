package dev.robin.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON body of a benchmark request: streamed, greedy, with usage in the last chunk, and
 * {@code ignore_eos} (a vLLM extension) so that every request generates exactly {@code max_tokens}.
 */
public final class CompletionRequestBody {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CompletionRequestBody() {}

  public static String of(String model, String prompt, int maxTokens, boolean ignoreEos) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.put("prompt", prompt);
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    body.put("stream", true);
    body.putObject("stream_options").put("include_usage", true);
    if (ignoreEos) {
      body.put("ignore_eos", true);
    }
    return body.toString();
  }
}
