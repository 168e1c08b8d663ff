package dev.robin.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code POST /completions} body.
 *
 * @param prompts one or more prompts; each yields {@code n} choices
 * @param logprobs alternatives per token (0..5), or null for none
 * @param echo whether each choice's text starts with its prompt
 */
public record CompletionRequest(
    String model, List<Prompt> prompts, GenerationOptions options, Integer logprobs, boolean echo) {

  public static final int MAX_LOGPROBS = 5;
  public static final int MAX_PROMPTS = 64;

  /** A prompt as text, or as token ids the client tokenized itself. */
  public record Prompt(String text, int[] tokenIds) {}

  public static ParsedRequest<CompletionRequest> parse(JsonNode body, int maxTokensLimit) {
    JsonFields f = JsonFields.root(body);
    String model = f.requiredString("model", JsonFields.MAX_IDENTIFIER_CHARS);
    List<Prompt> prompts = prompts(f.required("prompt"));
    GenerationOptions options = GenerationOptions.parse(f, 1.0, maxTokensLimit);
    Long logprobs = f.integer("logprobs", 0, MAX_LOGPROBS);
    boolean echo = f.bool("echo", false);
    CompletionRequest request =
        new CompletionRequest(model, prompts, options, logprobs == null ? null : logprobs.intValue(), echo);
    return new ParsedRequest<>(request, f.unknownFields());
  }

  private static List<Prompt> prompts(JsonNode node) {
    if (node.isTextual()) {
      return List.of(new Prompt(node.textValue(), null));
    }
    if (!node.isArray()) {
      throw ApiError.invalidType("prompt", "a string or an array of strings", Json.typeName(node)).toException();
    }
    if (node.isEmpty()) {
      throw ApiError.badRequest("empty_array", "prompt", "Invalid 'prompt': empty array. Expected at least one prompt.")
          .toException();
    }
    if (node.get(0).isNumber()) {
      return List.of(new Prompt(null, tokenIds(node, "prompt")));
    }
    if (node.size() > MAX_PROMPTS) {
      throw ApiError.badRequest(
              "array_above_max_length",
              "prompt",
              "Invalid 'prompt': at most " + MAX_PROMPTS + " prompts per request, but got " + node.size() + ".")
          .toException();
    }
    List<Prompt> prompts = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String param = "prompt[" + i + "]";
      if (item.isTextual()) {
        prompts.add(new Prompt(item.textValue(), null));
      } else if (item.isArray() && !item.isEmpty()) {
        prompts.add(new Prompt(null, tokenIds(item, param)));
      } else {
        throw ApiError.invalidType(param, "a string", Json.typeName(item)).toException();
      }
    }
    return List.copyOf(prompts);
  }

  private static int[] tokenIds(JsonNode array, String param) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (int) JsonFields.integerValue(array.get(i), param + "[" + i + "]", 0, Integer.MAX_VALUE);
    }
    return ids;
  }
}
