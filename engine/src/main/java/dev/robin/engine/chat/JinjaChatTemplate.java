package dev.robin.engine.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.engine.chat.jinja.Strftime;
import dev.robin.engine.chat.jinja.Template;
import dev.robin.engine.chat.jinja.TemplateRaised;
import dev.robin.engine.chat.jinja.TemplateRuntimeError;
import dev.robin.engine.chat.jinja.TemplateSyntaxError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Hugging Face chat template, rendered byte for byte as transformers' {@code apply_chat_template}
 * renders it with Python's Jinja2 (see {@link Template}): the variables are {@code messages} (dicts, see
 * {@link ChatMessage#templateValue()}), {@code tools} (OpenAI's tool list, or None), {@code documents}
 * (None), {@code add_generation_prompt}, {@code bos_token} and {@code eos_token} (when the model has them),
 * and any extra variables a caller passes (vLLM's {@code chat_template_kwargs}, such as Qwen3's
 * {@code enable_thinking}); the functions {@code raise_exception(msg)} (a {@link ChatTemplateException}
 * with the template's message) and {@code strftime_now(fmt)}.
 *
 * <p>The output already holds the BOS token when the model wants one: encode it without adding special
 * tokens. Thread-safe.
 */
public final class JinjaChatTemplate implements ChatTemplate {

  private static final Set<String> RESERVED = Set.of("messages", "tools", "documents", "add_generation_prompt");

  private final String source;
  private final Template template;
  private final String bosToken;
  private final String eosToken;

  /**
   * @param source the template text (as in {@code tokenizer_config.json}'s {@code chat_template})
   * @param bosToken the {@code bos_token} variable; null or empty when the model has none (then undefined,
   *     as in transformers)
   * @param eosToken the {@code eos_token} variable, likewise
   * @throws ChatTemplateException when the template does not parse (found at model load, not per request)
   */
  public JinjaChatTemplate(String source, String bosToken, String eosToken) {
    this.source = Objects.requireNonNull(source, "source");
    try {
      this.template = Template.parse(source);
    } catch (TemplateSyntaxError e) {
      throw new ChatTemplateException("the chat template does not parse at line " + e.line() + ": " + e.getMessage(),
          e);
    }
    this.bosToken = bosToken == null || bosToken.isEmpty() ? null : bosToken;
    this.eosToken = eosToken == null || eosToken.isEmpty() ? null : eosToken;
  }

  /** The template text. */
  public String source() {
    return source;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, null, addGenerationPrompt, Map.of());
  }

  @Override
  public String render(List<ChatMessage> messages, List<JsonNode> tools, boolean addGenerationPrompt) {
    return render(messages, tools, addGenerationPrompt, Map.of());
  }

  /**
   * Renders with extra template variables ({@code chat_template_kwargs}: strings, numbers, booleans, lists,
   * maps or JSON values), which may override {@code bos_token} and {@code eos_token} but not the
   * conversation's own variables.
   */
  public String render(List<ChatMessage> messages, List<JsonNode> tools, boolean addGenerationPrompt,
      Map<String, ?> extraVariables) {
    Objects.requireNonNull(messages, "messages");
    List<Map<String, Object>> dicts = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      if (m == null || m.role() == null) {
        throw new ChatTemplateException("every message needs a role");
      }
      dicts.add(m.templateValue());
    }
    Map<String, Object> variables = new HashMap<>();
    if (bosToken != null) {
      variables.put("bos_token", bosToken);
    }
    if (eosToken != null) {
      variables.put("eos_token", eosToken);
    }
    for (Map.Entry<String, ?> e : extraVariables.entrySet()) {
      if (RESERVED.contains(e.getKey())) {
        throw new ChatTemplateException("the template variable '" + e.getKey() + "' cannot be set by the caller");
      }
      variables.put(e.getKey(), e.getValue());
    }
    variables.put("messages", dicts);
    variables.put("tools", tools);
    variables.put("documents", null);
    variables.put("add_generation_prompt", addGenerationPrompt);
    try {
      return template.render(variables);
    } catch (TemplateRaised raised) {
      throw new ChatTemplateException(raised.getMessage(), raised);
    } catch (TemplateRuntimeError e) {
      throw new ChatTemplateException("the chat template failed at line " + e.line() + ": " + e.kind() + ": "
          + e.getMessage(), e);
    }
  }

  /** {@code strftime_now(fmt)}: the current local time in Python's strftime format, English names. */
  public static String strftimeNow(String format) {
    return Strftime.now(format);
  }
}
