package dev.robin.engine.toolcall;

import dev.robin.engine.chat.ChatTemplate;
import dev.robin.engine.chat.JinjaChatTemplate;
import java.util.Optional;

/**
 * How a model writes the functions it calls, as its chat template teaches it (the template shows the model
 * earlier calls in the same form).
 */
public enum ToolCallFormat {
  /**
   * Hermes, Qwen2.5, Qwen3: each call is {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}, after
   * optional text.
   */
  HERMES,
  /**
   * Llama 3.1 and later: the whole answer is {@code {"name": …, "parameters": {…}}} (several separated by
   * {@code ;}), optionally after {@code <|python_tag|>}.
   */
  LLAMA3_JSON,
  /** Mistral: the whole answer is {@code [TOOL_CALLS][{"name": …, "arguments": {…}}, …]}. */
  MISTRAL;

  /**
   * The format a model's template uses, or empty when the template cannot show tools to the model at all (it
   * never reads the {@code tools} variable, or is not a Jinja template). A template that shows tools in no
   * format recognised here gets {@link #HERMES}, the most common one.
   */
  public static Optional<ToolCallFormat> of(ChatTemplate template) {
    if (!(template instanceof JinjaChatTemplate jinja) || !jinja.source().contains("tools")) {
      return Optional.empty();
    }
    String source = jinja.source();
    if (source.contains("<tool_call>")) {
      return Optional.of(HERMES);
    }
    if (source.contains("[TOOL_CALLS]")) {
      return Optional.of(MISTRAL);
    }
    if (source.contains("<|python_tag|>") || source.contains("ipython")) {
      return Optional.of(LLAMA3_JSON);
    }
    return Optional.of(HERMES);
  }
}
