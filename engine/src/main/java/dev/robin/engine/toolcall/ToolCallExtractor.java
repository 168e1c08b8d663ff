package dev.robin.engine.toolcall;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits one sequence's output, as it streams, into the text for the client and the functions the model called
 * ({@link Call}s without ids: the caller names them). Text that may still turn out to start a call is held
 * back until it is clear; a call that does not parse is given back as text, so nothing the model wrote is
 * lost. Pushing a whole output at once, then {@link #finish()}, gives the same content and calls as pushing it
 * piece by piece: a streamed response and a whole one agree.
 *
 * <p>Not thread-safe: one per sequence.
 */
public final class ToolCallExtractor {

  /**
   * A call the model wrote.
   *
   * @param arguments the arguments as JSON text, exactly as the model wrote them (a model that wrote them as a
   *     JSON string gets the string's content): reading them into numbers would change them ({@code 1e999} is
   *     not a double)
   */
  public record Call(String name, String arguments) {

    public Call {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(arguments, "arguments");
    }
  }

  /** What a piece of output added: text for the client (possibly empty) and the calls it completed. */
  public record Output(String content, List<Call> calls) {

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

  private static final JsonFactory JSON = new JsonFactory();
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
  /** A call completed and no text followed it yet: whitespace now may only separate calls. */
  private boolean afterCall;
  /** TAGGED: inside a {@code <tool_call>}. */
  private boolean inCall;
  /** TAGGED, inside a call: where the search for its closing tag resumes. */
  private int closeSearchedTo;
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
    List<Call> calls = new ArrayList<>();
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
    List<Call> calls = new ArrayList<>();
    String rest = pending.toString();
    pending.setLength(0);
    switch (mode) {
      case TAGGED -> {
        if (inCall) {
          // The model stopped before closing the tag: the call stands if its JSON is whole.
          Call call = call(rest);
          if (call != null) {
            calls.add(call);
            called();
          } else {
            send(content, OPEN + rest);
          }
        } else {
          send(content, rest);
        }
      }
      case LEADING_JSON, CALLS_JSON -> {
        List<Call> parsed = buffering ? calls(strip(rest)) : null;
        if (parsed != null && !parsed.isEmpty()) {
          calls.addAll(parsed);
          called();
        } else {
          send(content, rest);
        }
      }
      case ARGUMENTS -> {
        String arguments = rest.strip();
        if (isObject(arguments)) {
          calls.add(new Call(function, arguments));
          called();
        } else {
          send(content, rest);
        }
      }
      default -> throw new IllegalStateException(mode.toString());
    }
    if (!afterCall) {
      content.append(heldSpace); // no call after it to be separated from: the whitespace was text
    }
    heldSpace.setLength(0);
    return new Output(content.toString(), calls);
  }

  private void scanTagged(StringBuilder content, List<Call> calls) {
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
      int close = pending.indexOf(CLOSE, closeSearchedTo);
      if (close < 0) {
        // Next time, search only what is new (and the tag's possible start): a long call stays linear.
        closeSearchedTo = Math.max(0, pending.length() - CLOSE.length() + 1);
        return;
      }
      closeSearchedTo = 0;
      String body = pending.substring(0, close);
      pending.delete(0, close + CLOSE.length());
      inCall = false;
      Call call = call(body);
      if (call != null) {
        calls.add(call);
        called();
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
    if (text.isBlank() && (!contentSent || afterCall)) {
      heldSpace.append(text);
      return;
    }
    content.append(heldSpace).append(text);
    heldSpace.setLength(0);
    contentSent = true;
    afterCall = false;
  }

  /** A call completed: whitespace held before it only separated it from what came before. */
  private void called() {
    afterCall = true;
    heldSpace.setLength(0);
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

  /** One call, {@code {"name": …, "arguments"|"parameters": …}} and nothing else; null when it is not one. */
  private static Call call(String text) {
    List<Call> calls = calls(text.strip());
    return calls != null && calls.size() == 1 && text.strip().startsWith("{") ? calls.get(0) : null;
  }

  /**
   * Calls written as JSON values one after another (separated by whitespace, {@code ;} or {@code ,}), each an
   * object or an array of objects; null when any part is not a call.
   */
  private static List<Call> calls(String text) {
    List<Call> calls = new ArrayList<>();
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
        JsonToken first = parser.nextToken();
        if (first == JsonToken.START_ARRAY) {
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            Call call = callAt(parser, rest);
            if (call == null) {
              return null;
            }
            calls.add(call);
          }
          if (parser.currentToken() != JsonToken.END_ARRAY) {
            return null;
          }
        } else if (first == JsonToken.START_OBJECT) {
          Call call = callAt(parser, rest);
          if (call == null) {
            return null;
          }
          calls.add(call);
        } else {
          return null;
        }
        at += (int) parser.currentLocation().getCharOffset();
      } catch (IOException | RuntimeException e) {
        return null; // not JSON, or beyond the parser's limits: text, not a call
      }
    }
  }

  /** The call whose object the parser has just opened; leaves the parser on its end. */
  private static Call callAt(JsonParser parser, String source) throws IOException {
    String name = null;
    String arguments = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("name".equals(field) && value == JsonToken.VALUE_STRING) {
        name = parser.getText();
      } else if ("arguments".equals(field) || ("parameters".equals(field) && arguments == null)) {
        if (value == JsonToken.START_OBJECT) {
          int from = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          arguments = source.substring(from, (int) parser.currentLocation().getCharOffset());
        } else if (value == JsonToken.VALUE_STRING) {
          arguments = parser.getText(); // OpenAI's own form: the arguments JSON-encoded in a string
        } else if (value == JsonToken.VALUE_NULL) {
          arguments = "{}";
        } else {
          return null;
        }
      } else {
        parser.skipChildren();
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT || name == null || name.isEmpty()) {
      return null;
    }
    return new Call(name, arguments == null ? "{}" : arguments);
  }

  /** Whether the text is exactly one JSON object. */
  private static boolean isObject(String text) {
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
