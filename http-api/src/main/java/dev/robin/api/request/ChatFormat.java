package dev.robin.api.request;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.util.ArrayList;
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

  /**
   * A content chunk (when there is text or log-probabilities), then for each completed tool call, as OpenAI
   * streams them, a chunk with its index, id, type and name (arguments empty), then one with its arguments.
   */
  @Override
  List<ObjectNode> deltaChunks(ChoiceState choice, ChoiceState.Delta delta) {
    List<ObjectNode> chunks = new ArrayList<>();
    if (!delta.text().isEmpty() || !delta.logprobs().isEmpty()) {
      ObjectNode c = choiceNode(choice);
      c.putObject("delta").put("content", delta.text());
      if (job.topLogprobs() >= 0) {
        c.set("logprobs", logprobs(delta.logprobs()));
      } else {
        c.putNull("logprobs");
      }
      c.putNull("finish_reason");
      chunks.add(chunkWith(c));
    }
    for (ChoiceState.Call call : delta.calls()) {
      ObjectNode named = choiceNode(choice);
      ObjectNode first = named.putObject("delta").putArray("tool_calls").addObject();
      first.put("index", call.index());
      first.put("id", call.id());
      first.put("type", "function");
      first.putObject("function").put("name", call.name()).put("arguments", "");
      named.putNull("logprobs");
      named.putNull("finish_reason");
      chunks.add(chunkWith(named));
      ObjectNode arguments = choiceNode(choice);
      ObjectNode next = arguments.putObject("delta").putArray("tool_calls").addObject();
      next.put("index", call.index());
      next.putObject("function").put("arguments", call.arguments());
      arguments.putNull("logprobs");
      arguments.putNull("finish_reason");
      chunks.add(chunkWith(arguments));
    }
    return chunks;
  }

  private static ObjectNode choiceNode(ChoiceState choice) {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("index", choice.index);
    return c;
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
      List<ChoiceState.Call> calls = choice.calls();
      if (!calls.isEmpty() && choice.text().isBlank()) {
        message.putNull("content"); // as OpenAI answers a call without text
      } else {
        message.put("content", choice.text());
      }
      if (!calls.isEmpty()) {
        ArrayNode toolCalls = message.putArray("tool_calls");
        for (ChoiceState.Call call : calls) {
          ObjectNode t = toolCalls.addObject();
          t.put("id", call.id());
          t.put("type", "function");
          t.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
      }
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
