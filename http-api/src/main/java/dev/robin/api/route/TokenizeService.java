package dev.robin.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.api.openai.JsonFields;
import dev.robin.api.model.ServedModel;
import dev.robin.api.openai.ChatCompletionRequest;
import dev.robin.engine.chat.ChatTemplateException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code POST /tokenize}: {@code {"model", "prompt" | "messages", "add_special_tokens"?}} → the token ids
 * exactly as a completion would see them (messages go through the chat template).
 */
final class TokenizeService {

  private final ModelLookup lookup;
  private final Executor executor;

  TokenizeService(ModelLookup lookup, Executor executor) {
    this.lookup = lookup;
    this.executor = executor;
  }

  CompletionStage<ObjectNode> tokenize(JsonNode body) {
    JsonFields f = JsonFields.root(body);
    String modelId = f.requiredString("model", JsonFields.MAX_IDENTIFIER_CHARS);
    boolean hasPrompt = f.has("prompt");
    boolean hasMessages = f.has("messages");
    if (hasPrompt == hasMessages) {
      throw (hasPrompt
              ? ApiError.invalidValue("prompt", "Give either 'prompt' or 'messages', not both.")
              : ApiError.missing("prompt"))
          .toException();
    }
    String prompt = hasPrompt ? f.requiredString("prompt") : null;
    ChatCompletionRequest chat = hasMessages ? ChatCompletionRequest.parse(conversation(f), 1).request() : null;
    var messages = chat == null ? null : chat.messages();
    // The tools are part of the prompt a chat request renders: counted as it counts them.
    List<JsonNode> tools = chat != null && chat.tools().isActive() ? chat.tools().tools() : null;
    ServedModel model = lookup.ready(modelId);
    boolean addSpecial = f.bool("add_special_tokens", hasPrompt);
    if (hasMessages && model.chatTemplate() == null) {
      throw ApiError.invalidValue("messages", "The model '" + modelId + "' has no chat template.").toException();
    }
    if (tools != null) {
      CompletionService.toolCallFormat(model);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          String text;
          if (hasPrompt) {
            text = prompt;
          } else {
            try {
              text = model.chatTemplate().render(messages, tools, true);
            } catch (ChatTemplateException e) {
              throw ApiError.invalidValue("messages", "The chat template rejected the messages: " + e.getMessage())
                  .toException();
            }
          }
          int[] ids = model.tokenizer().encode(text, addSpecial);
          ObjectNode root = Json.MAPPER.createObjectNode();
          root.put("model", model.id());
          ArrayNode tokens = root.putArray("tokens");
          for (int id : ids) {
            tokens.add(id);
          }
          root.put("count", ids.length);
          root.put("max_model_len", model.maxModelLen());
          return root;
        },
        executor);
  }

  /** Reuses the chat request's message validation (and its error params) on a body holding only messages. */
  /** The chat fields of a tokenize body (messages, and the tools a chat request would show), as a chat body. */
  private static JsonNode conversation(JsonFields f) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", "-");
    body.set("messages", f.required("messages"));
    for (String field : List.of("tools", "tool_choice")) {
      JsonNode value = f.raw(field);
      if (value != null) {
        body.set(field, value);
      }
    }
    return body;
  }
}
