package dev.robin.engine.toolcall;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.robin.engine.chat.ChatMessage.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits one sequence's output, as it streams, into the text for the client and the functions the model called
 * ({@link ToolCall}s without ids: the caller names them). Text that may still turn out to start a call is held
 * back until it is clear; a call that does not parse is given back as text, so nothing the model wrote is
 * lost. Pushing a whole output at once, then {@link #finish()}, gives the same content and calls as pushing it
 * piece by piece: a streamed response and a whole one agree.
 *
 * <p>Not thread-safe: one per sequence.
 */
public final class ToolCallExtractor {

  /** What a piece of output added: text for the client (possibly empty) and the calls it completed. */
  public record Output(String content, List<ToolCall> calls) {

    public static final Output EMPTY = new Output("", List.of());

    public Output {
      Objects.requireNonNull(content, "content");
      calls = List.copyOf(calls);
    }

    public boolean isEmpty() {
      return content.isEmpty() && calls.isEmpty();
    }
  }

  private enum Mode {
    /** Calls between tags anywhere in the text (Hermes). */
    TAGGED,
    /** The answer is either text or, from its first character (or a marker), calls as JSON (Llama, Mistral). */
    LEADING_JSON,
    /** The whole output is calls as JSON (output constrained to a JSON array of calls). */
    CALLS_JSON,
    /** The whole output is one function's arguments (output constrained to its parameters). */
    ARGUMENTS
  }

  /**
   * Numbers are read exactly (BigDecimal, as written), so arguments shown back as JSON keep the model's values:
   * a double would turn {@code 1e999} into Infinity, which is not JSON at all.
   */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();
  private static final String OPEN = "<tool_call>";
  private static final String CLOSE = "</tool_call>";

  private final Mode mode;
  /** LEADING_JSON: the special token that may precede the calls. */
  private final String marker;
  /** LEADING_JSON: the character calls start with. */
  private final char start;
  /** ARGUMENTS: the function called. */
  private final String function;

  private final StringBuilder pending = new StringBuilder();
  /** Whitespace kept back: dropped if it only separates calls, sent if text follows. */
  private final StringBuilder heldSpace = new StringBuilder();
  private boolean contentSent;
  private boolean sawCall;
  /** TAGGED: inside a {@code <tool_call>}. */
  private boolean inCall;
  /** LEADING_JSON: whether the answer is text or calls is known. */
  private boolean decided;
  /** LEADING_JSON: the answer is calls; hold everything until the end. */
  private boolean buffering;
  private boolean finished;

  private ToolCallExtractor(Mode mode, String marker, char start, String function) {
    this.mode = mode;
    this.marker = marker;
    this.start = start;
    this.function = function;
    this.buffering = mode == Mode.CALLS_JSON || mode == Mode.ARGUMENTS;
    this.decided = buffering;
  }

  /** For a model's own format ({@code tool_choice: "auto"}): text, calls, or both. */
  public static ToolCallExtractor of(ToolCallFormat format) {
    return switch (format) {
      case HERMES -> new ToolCallExtractor(Mode.TAGGED, null, '\0', null);
      case LLAMA3_JSON -> new ToolCallExtractor(Mode.LEADING_JSON, "<|python_tag|>", '{', null);
      case MISTRAL -> new ToolCallExtractor(Mode.LEADING_JSON, "[TOOL_CALLS]", '[', null);
    };
  }

  /** For output constrained by {@link ToolCallConstraints#anyOf}: a JSON array of {@code {"name", "arguments"}}. */
  public static ToolCallExtractor callsJson() {
    return new ToolCallExtractor(Mode.CALLS_JSON, null, '\0', null);
  }

  /** For output constrained by {@link ToolCallConstraints#argumentsOf}: the arguments of {@code function}. */
  public static ToolCallExtractor argumentsOf(String function) {
    return new ToolCallExtractor(Mode.ARGUMENTS, null, '\0', Objects.requireNonNull(function, "function"));
  }

  /** The next piece of the output. */
  public Output push(String text) {
    if (finished) {
      throw new IllegalStateException("finished");
    }
    StringBuilder content = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    if (mode == Mode.TAGGED) {
      pending.append(text);
      scanTagged(content, calls);
    } else if (decided && !buffering) {
      send(content, text);
    } else {
      pending.append(text);
      if (!decided) {
        decideLeading(content);
      }
    }
    return new Output(content.toString(), calls);
  }

  /** The output ended: what was held back, as calls or as text. */
  public Output finish() {
    if (finished) {
      return Output.EMPTY;
    }
    finished = true;
    StringBuilder content = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    String rest = pending.toString();
    pending.setLength(0);
    switch (mode) {
      case TAGGED -> {
        if (inCall) {
          // The model stopped before closing the tag: the call stands if its JSON is whole.
          ToolCall call = call(rest);
          if (call != null) {
            calls.add(call);
            sawCall = true;
          } else {
            send(content, OPEN + rest);
          }
        } else {
          send(content, rest);
        }
      }
      case LEADING_JSON, CALLS_JSON -> {
        List<ToolCall> parsed = buffering ? calls(strip(rest)) : null;
        if (parsed != null && !parsed.isEmpty()) {
          calls.addAll(parsed);
          sawCall = true;
        } else {
          send(content, rest);
        }
      }
      case ARGUMENTS -> {
        JsonNode arguments = onlyValue(rest);
        if (arguments != null && arguments.isObject()) {
          calls.add(new ToolCall(null, function, arguments));
          sawCall = true;
        } else {
          send(content, rest);
        }
      }
      default -> throw new IllegalStateException(mode.toString());
    }
    if (!sawCall) {
      content.append(heldSpace); // no call to separate: the whitespace was text
    }
    heldSpace.setLength(0);
    return new Output(content.toString(), calls);
  }

  private void scanTagged(StringBuilder content, List<ToolCall> calls) {
    while (true) {
      if (!inCall) {
        int open = pending.indexOf(OPEN);
        if (open >= 0) {
          send(content, pending.substring(0, open));
          pending.delete(0, open + OPEN.length());
          inCall = true;
          continue;
        }
        int keep = partialSuffix(pending, OPEN);
        send(content, pending.substring(0, pending.length() - keep));
        pending.delete(0, pending.length() - keep);
        return;
      }
      int close = pending.indexOf(CLOSE);
      if (close < 0) {
        return;
      }
      String body = pending.substring(0, close);
      pending.delete(0, close + CLOSE.length());
      inCall = false;
      ToolCall call = call(body);
      if (call != null) {
        calls.add(call);
        sawCall = true;
      } else {
        send(content, OPEN + body + CLOSE);
      }
    }
  }

  private void decideLeading(StringBuilder content) {
    String s = pending.toString().stripLeading();
    if (s.isEmpty() || (marker.startsWith(s) && !s.equals(marker))) {
      return; // only whitespace, or maybe the marker: wait
    }
    decided = true;
    if (s.startsWith(marker) || s.charAt(0) == start) {
      buffering = true;
      return;
    }
    String text = pending.toString();
    pending.setLength(0);
    send(content, text);
  }

  /** Sends text to the client; whitespace alone is held while it may only separate calls. */
  private void send(StringBuilder content, String text) {
    if (text.isEmpty()) {
      return;
    }
    if (text.isBlank() && (!contentSent || sawCall)) {
      heldSpace.append(text);
      return;
    }
    content.append(heldSpace).append(text);
    heldSpace.setLength(0);
    contentSent = true;
  }

  private String strip(String text) {
    String s = text.strip();
    if (marker != null && s.startsWith(marker)) {
      s = s.substring(marker.length()).strip();
    }
    return s;
  }

  /** The length of the longest end of {@code text} that {@code tag} starts with (the tag may be arriving). */
  private static int partialSuffix(CharSequence text, String tag) {
    for (int k = Math.min(tag.length() - 1, text.length()); k > 0; k--) {
      boolean match = true;
      for (int i = 0; i < k && match; i++) {
        match = text.charAt(text.length() - k + i) == tag.charAt(i);
      }
      if (match) {
        return k;
      }
    }
    return 0;
  }

  /** One call, {@code {"name": …, "arguments"|"parameters": …}}; null when it is not one. */
  private static ToolCall call(String text) {
    JsonNode node = onlyValue(text);
    return node == null ? null : call(node);
  }

  private static ToolCall call(JsonNode node) {
    if (!node.isObject() || !node.path("name").isTextual() || node.path("name").textValue().isEmpty()) {
      return null;
    }
    JsonNode arguments = node.has("arguments") ? node.get("arguments") : node.get("parameters");
    if (arguments == null || arguments.isNull()) {
      arguments = JSON.createObjectNode();
    }
    if (arguments.isTextual()) {
      // Some models write the arguments as a JSON string, as OpenAI's API carries them.
      JsonNode parsed = onlyValue(arguments.textValue());
      if (parsed != null && parsed.isObject()) {
        arguments = parsed;
      }
    }
    if (!arguments.isObject() && !arguments.isTextual()) {
      return null;
    }
    return new ToolCall(null, node.get("name").textValue(), arguments);
  }

  /**
   * Calls written as JSON values one after another (separated by whitespace, {@code ;} or {@code ,}), each an
   * object or an array of objects; null when any part is not a call.
   */
  private static List<ToolCall> calls(String text) {
    List<ToolCall> calls = new ArrayList<>();
    int at = 0;
    while (true) {
      while (at < text.length() && (Character.isWhitespace(text.charAt(at)) || text.charAt(at) == ';'
          || text.charAt(at) == ',')) {
        at++;
      }
      if (at == text.length()) {
        return calls;
      }
      String rest = text.substring(at);
      try (JsonParser parser = JSON.createParser(rest)) {
        JsonNode value = JSON.readTree(parser);
        if (value == null) {
          return null;
        }
        List<JsonNode> items = new ArrayList<>();
        if (value.isArray()) {
          value.forEach(items::add);
        } else {
          items.add(value);
        }
        for (JsonNode item : items) {
          ToolCall call = call(item);
          if (call == null) {
            return null;
          }
          calls.add(call);
        }
        at += (int) parser.getCurrentLocation().getCharOffset();
      } catch (IOException e) {
        return null;
      }
    }
  }

  /** The text as exactly one JSON value (surrounding whitespace allowed); null otherwise. */
  private static JsonNode onlyValue(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonNode value = JSON.readTree(parser);
      if (value == null || value.isMissingNode() || parser.nextToken() != null) {
        return null;
      }
      return value;
    } catch (IOException e) {
      return null;
    }
  }
}
