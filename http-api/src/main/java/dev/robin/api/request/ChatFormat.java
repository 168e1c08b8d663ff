package dev.robin.api.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.util.List;

/** {@code chat.completion} and {@code chat.completion.chunk}. */
final class ChatFormat extends ResponseFormat {

  ChatFormat(GenerationJob job) {
    super(job);
  }

  @Override
  protected String chunkObject() {
    return "chat.completion.chunk";
  }

  @Override
  List<ObjectNode> openingChunks(ChoiceState choice) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("index", choice.index);
    ObjectNode delta = c.putObject("delta");
    delta.put("role", "assistant");
    delta.put("content", "");
    c.putNull("logprobs");
    c.putNull("finish_reason");
    return List.of(chunkWith(c));
  }

  @Override
  ObjectNode deltaChunk(ChoiceState choice, ChoiceState.Delta delta) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("index", choice.index);
    c.putObject("delta").put("content", delta.text());
    if (job.topLogprobs() >= 0) {
      c.set("logprobs", logprobs(delta.logprobs()));
    } else {
      c.putNull("logprobs");
    }
    c.putNull("finish_reason");
    return chunkWith(c);
  }

  @Override
  ObjectNode finishChunk(ChoiceState choice) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("index", choice.index);
    c.putObject("delta");
    c.putNull("logprobs");
    c.put("finish_reason", choice.finishReason);
    return chunkWith(c);
  }

  @Override
  ObjectNode whole(List<ChoiceState> choices, ObjectNode usage) {
    ObjectNode root = wholeHeader("chat.completion");
    ArrayNode array = root.putArray("choices");
    for (ChoiceState choice : choices) {
      ObjectNode c = array.addObject();
      c.put("index", choice.index);
      ObjectNode message = c.putObject("message");
      message.put("role", "assistant");
      message.put("content", choice.text());
      if (job.topLogprobs() >= 0) {
        c.set("logprobs", logprobs(choice.allLogprobs()));
      } else {
        c.putNull("logprobs");
      }
      c.put("finish_reason", choice.finishReason);
    }
    root.set("usage", usage);
    return root;
  }

  /** {@code {"content":[{token, logprob, bytes, top_logprobs:[{token, logprob, bytes}]}]}}. */
  private static ObjectNode logprobs(List<TokenLogprob> tokens) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    ArrayNode content = node.putArray("content");
    for (TokenLogprob t : tokens) {
      ObjectNode entry = content.addObject();
      entry.put("token", t.token());
      entry.set("logprob", logprobValue(t.logprob()));
      entry.set("bytes", utf8Bytes(t.token()));
      ArrayNode top = entry.putArray("top_logprobs");
      for (TokenLogprob.Alternative alt : t.top()) {
        ObjectNode a = top.addObject();
        a.put("token", alt.token());
        a.set("logprob", logprobValue(alt.logprob()));
        a.set("bytes", utf8Bytes(alt.token()));
      }
    }
    node.putNull("refusal");
    return node;
  }
}
