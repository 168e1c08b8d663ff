package dev.robin.api.request;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.guard.Usage;
import dev.robin.api.json.Json;
import java.util.List;

/** A request's token usage: each prompt counted once however many choices it has, every choice's tokens. */
final class UsageTally {

  private UsageTally() {}

  static Usage of(GenerationJob job, List<ChoiceState> choices) {
    int prompt = 0;
    int cached = 0;
    for (int p = 0; p < job.prompts().size(); p++) {
      prompt += job.prompts().get(p).ids().length;
      int best = 0;
      for (ChoiceState c : choices) {
        if (c.promptIndex == p) {
          best = Math.max(best, c.cachedPromptTokens);
        }
      }
      cached += best;
    }
    int completion = choices.stream().mapToInt(c -> c.numTokens).sum();
    return new Usage(job.id(), job.model().id(), prompt, completion, cached);
  }

  /** {@code {prompt_tokens, completion_tokens, total_tokens, prompt_tokens_details:{cached_tokens}}}. */
  static ObjectNode json(Usage u) {
    ObjectNode usage = Json.MAPPER.createObjectNode();
    usage.put("prompt_tokens", u.promptTokens());
    usage.put("completion_tokens", u.completionTokens());
    usage.put("total_tokens", u.totalTokens());
    usage.putObject("prompt_tokens_details").put("cached_tokens", u.cachedPromptTokens());
    return usage;
  }
}
