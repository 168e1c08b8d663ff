package dev.robin.api.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.util.List;

/** {@code text_completion}, whole and as chunks (both use the same object name, as OpenAI does). */
final class TextFormat extends ResponseFormat {

  TextFormat(GenerationJob job) {
    super(job);
  }

  @Override
  protected String chunkObject() {
    return "text_completion";
  }

  @Override
  List<ObjectNode> openingChunks(ChoiceState choice) {
    if (!job.echo()) {
      return List.of();
    }
    String echo = job.prompts().get(choice.promptIndex).echoText();
    return List.of(chunkWith(choiceNode(choice.index, echo, null, null)));
  }

  @Override
  List<ObjectNode> deltaChunks(ChoiceState choice, ChoiceState.Delta delta) {
    ObjectNode logprobs = job.topLogprobs() >= 0 ? logprobs(delta.logprobs()) : null;
    return List.of(chunkWith(choiceNode(choice.index, delta.text(), logprobs, null)));
  }

  @Override
  ObjectNode finishChunk(ChoiceState choice) {
    return chunkWith(choiceNode(choice.index, "", null, choice.finishReason));
  }

  @Override
  ObjectNode whole(List<ChoiceState> choices, ObjectNode usage) {
    ObjectNode root = wholeHeader("text_completion");
    ArrayNode array = root.putArray("choices");
    for (ChoiceState choice : choices) {
      ObjectNode logprobs = job.topLogprobs() >= 0 ? logprobs(choice.allLogprobs()) : null;
      array.add(choiceNode(choice.index, choice.text(), logprobs, choice.finishReason));
    }
    root.set("usage", usage);
    return root;
  }

  private static ObjectNode choiceNode(int index, String text, ObjectNode logprobs, String finishReason) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("text", text);
    c.put("index", index);
    c.set("logprobs", logprobs);
    c.put("finish_reason", finishReason);
    return c;
  }

  /** {@code {tokens, token_logprobs, top_logprobs:[{token: logprob}], text_offset}}. */
  private static ObjectNode logprobs(List<TokenLogprob> tokens) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    ArrayNode texts = node.putArray("tokens");
    ArrayNode lps = node.putArray("token_logprobs");
    ArrayNode tops = node.putArray("top_logprobs");
    ArrayNode offsets = node.putArray("text_offset");
    for (TokenLogprob t : tokens) {
      texts.add(t.token());
      lps.add(logprobValue(t.logprob()));
      ObjectNode top = tops.addObject();
      for (TokenLogprob.Alternative alt : t.top()) {
        top.set(alt.token(), logprobValue(alt.logprob()));
      }
      offsets.add(t.textOffset());
    }
    return node;
  }
}
