package dev.robin.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template (Jinja2) rendered by HubSpot's Jinjava, configured as transformers
 * configures Jinja2: {@code trim_blocks} and {@code lstrip_blocks}, no kept trailing newline (applied to
 * the source by {@link JinjaSource}, since Jinjava's own handling misses {@code {{- }} and comments),
 * {@code raise_exception(msg)} (becomes a {@link ChatTemplateException} with the template's message),
 * {@code strftime_now(fmt)}, and a {@code tojson} that writes JSON as Python's {@code json.dumps} does.
 * Python string methods ({@code .strip()}, {@code .startswith()}, …) are provided by
 * {@link PythonStringMethods}. Variables: {@code messages} (maps with {@code role} and {@code content}),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}.
 *
 * <p>The output already holds the BOS token when the model wants one: encode it without adding special
 * tokens. Thread-safe: each render gets its own interpreter.
 */
public final class JinjaChatTemplate implements ChatTemplate {

  private static final long MAX_OUTPUT_CHARS = 64L * 1024 * 1024;
  private static final Jinjava JINJAVA = newJinjava();

  private final String source;
  private final String normalized;
  private final String bosToken;
  private final String eosToken;

  /**
   * @param source the template text (as in {@code tokenizer_config.json}'s {@code chat_template})
   * @param bosToken the {@code bos_token} variable; empty when the model has none
   * @param eosToken the {@code eos_token} variable
   * @throws ChatTemplateException when the template does not parse (found at model load, not per request)
   */
  public JinjaChatTemplate(String source, String bosToken, String eosToken) {
    this.source = Objects.requireNonNull(source, "source");
    this.normalized = JinjaSource.normalize(source);
    checkSyntax(normalized);
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
  }

  /** The template text. */
  public String source() {
    return source;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    Objects.requireNonNull(messages, "messages");
    List<Map<String, Object>> maps = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      if (m == null || m.role() == null) {
        throw new ChatTemplateException("every message needs a role");
      }
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content() == null ? "" : m.content());
      maps.add(map);
    }
    return render(maps, addGenerationPrompt, Map.of());
  }

  /**
   * Renders messages given as maps (so they may carry fields such as {@code tool_calls}) with extra
   * variables (such as {@code tools}).
   */
  public String render(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
    Map<String, Object> bindings = new HashMap<>(extra);
    bindings.put("messages", messages);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    bindings.put("bos_token", bosToken);
    bindings.put("eos_token", eosToken);
    // Templates test "strftime_now is defined" before calling the function (Llama 3.1/3.2).
    bindings.putIfAbsent("strftime_now", "strftime_now");
    bindings.putIfAbsent("raise_exception", "raise_exception");
    RenderResult result;
    try {
      result = JINJAVA.renderForResult(normalized, bindings);
    } catch (PythonJinjaLibrary.TemplateRaised raised) {
      throw new ChatTemplateException(raised.getMessage());
    } catch (RuntimeException e) {
      throw new ChatTemplateException("the chat template failed: " + e.getMessage(), e);
    }
    for (TemplateError error : result.getErrors()) {
      PythonJinjaLibrary.TemplateRaised raised = raisedIn(error.getException());
      if (raised != null) {
        throw new ChatTemplateException(raised.getMessage());
      }
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new ChatTemplateException("the chat template failed at line " + error.getLineno() + ": "
            + error.getMessage(), error.getException());
      }
    }
    return result.getOutput();
  }

  private static void checkSyntax(String template) {
    JinjavaInterpreter interpreter = JINJAVA.newInterpreter();
    JinjavaInterpreter.pushCurrent(interpreter);
    try {
      interpreter.parse(template);
      for (TemplateError error : interpreter.getErrors()) {
        if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
          throw new ChatTemplateException("the chat template does not parse at line " + error.getLineno() + ": "
              + error.getMessage());
        }
      }
    } finally {
      JinjavaInterpreter.popCurrent();
    }
    for (String filter : JinjaSource.namesUsed(template, false)) {
      if (JINJAVA.getGlobalContext().getFilter(filter) == null) {
        throw new ChatTemplateException("the chat template uses the filter '" + filter + "', which Robin's Jinja"
            + " engine does not have");
      }
    }
    for (String test : JinjaSource.namesUsed(template, true)) {
      if (JINJAVA.getGlobalContext().getExpTest(test) == null) {
        throw new ChatTemplateException("the chat template uses the test 'is " + test + "', which Robin's Jinja"
            + " engine does not have");
      }
    }
  }

  private static PythonJinjaLibrary.TemplateRaised raisedIn(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof PythonJinjaLibrary.TemplateRaised raised) {
        return raised;
      }
    }
    return null;
  }

  /** {@code strftime_now(fmt)}: the current local time in Python's strftime format, English names. */
  public static String strftimeNow(String format) {
    return PythonJinjaLibrary.strftimeNow(format);
  }

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config = JinjavaConfig.newBuilder()
        // JinjaSource already applied trim_blocks, lstrip_blocks and the trailing newline rule.
        .withTrimBlocks(false)
        .withLstripBlocks(false)
        .withKeepTrailingNewline(true)
        .withElResolver(resolver)
        // Message text is data: never evaluate "{{ ... }}" a client put in its content.
        .withNestedInterpretationEnabled(false)
        .withMaxOutputSize(MAX_OUTPUT_CHARS)
        .build();
    Jinjava jinjava = new Jinjava(config);
    PythonJinjaLibrary.install(jinjava);
    return jinjava;
  }
}
