package dev.robin.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
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
    return of(model, prompt, maxTokens, ignoreEos, null, null);
  }

  /**
   * As above, constrained by {@code schema} ({@code response_format} of type {@code json_schema} named
   * {@code schemaName}) unless it is null.
   */
  public static String of(
      String model, String prompt, int maxTokens, boolean ignoreEos, String schemaName, JsonNode schema) {
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
    if (schema != null) {
      ObjectNode jsonSchema = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
      jsonSchema.put("name", schemaName);
      jsonSchema.set("schema", schema);
    }
    return body.toString();
  }
}
