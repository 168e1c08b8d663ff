package dev.robin.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
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
 * the source by {@link JinjaWhitespace}, since Jinjava's own handling misses {@code {{- }} and comments),
 * {@code raise_exception(msg)} (becomes a {@link ChatTemplateException} with the template's message),
 * {@code strftime_now(fmt)}, and a {@code tojson} that writes JSON as Python's {@code json.dumps} does.
 * Python string methods ({@code .strip()}, {@code .startswith()}, …) are provided by
 * {@link PythonStringMethods}. Variables: {@code messages} (maps with {@code role} and {@code content}),
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}.
 *
 * <p>Thread-safe: each render gets its own interpreter.
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
   */
  public JinjaChatTemplate(String source, String bosToken, String eosToken) {
    this.source = Objects.requireNonNull(source, "source");
    this.normalized = JinjaWhitespace.normalize(source);
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
    RenderResult result;
    try {
      result = JINJAVA.renderForResult(normalized, bindings);
    } catch (TemplateRaised raised) {
      throw new ChatTemplateException(raised.getMessage());
    } catch (RuntimeException e) {
      throw new ChatTemplateException("the chat template failed: " + e.getMessage(), e);
    }
    for (TemplateError error : result.getErrors()) {
      TemplateRaised raised = raisedIn(error.getException());
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

  private static TemplateRaised raisedIn(Throwable t) {
    for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
      if (t instanceof TemplateRaised raised) {
        return raised;
      }
    }
    return null;
  }

  /** {@code raise_exception(msg)}: a template's refusal of a conversation. */
  public static Object raiseException(String message) {
    throw new TemplateRaised(message);
  }

  /** {@code strftime_now(fmt)}: the current local time in Python's strftime format. */
  public static String strftimeNow(String format) {
    return StrftimeFormatter.format(ZonedDateTime.now(), format);
  }

  private static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message, null, false, false);
    }
  }

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config = JinjavaConfig.newBuilder()
        // JinjaWhitespace already applied trim_blocks, lstrip_blocks and the trailing newline rule.
        .withTrimBlocks(false)
        .withLstripBlocks(false)
        .withKeepTrailingNewline(true)
        .withElResolver(resolver)
        .withMaxOutputSize(MAX_OUTPUT_CHARS)
        .build();
    Jinjava jinjava = new Jinjava(config);
    jinjava.registerFunction(new ELFunctionDefinition(
        "", "raise_exception", JinjaChatTemplate.class, "raiseException", String.class));
    jinjava.registerFunction(new ELFunctionDefinition(
        "", "strftime_now", JinjaChatTemplate.class, "strftimeNow", String.class));
    jinjava.registerFilter(new ToJsonFilter());
    jinjava.registerFilter(new PythonTrimFilter());
    return jinjava;
  }

  /** {@code tojson} as transformers defines it: {@code json.dumps(x, ensure_ascii=False, indent=...)}. */
  private static final class ToJsonFilter implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      Integer indent = args.length > 0 && args[0] != null ? Integer.valueOf(args[0]) : null;
      return PythonJson.dumps(var, indent);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
      return PythonJson.dumps(var, indent == null ? null : ((Number) indent).intValue());
    }
  }

  /** {@code trim} as Jinja2 defines it: Python's {@code str.strip(chars)}. */
  private static final class PythonTrimFilter implements Filter {
    @Override
    public String getName() {
      return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      if (var == null) {
        return "";
      }
      return PythonStringMethods.strip(var.toString(), args.length > 0 ? args[0] : null, true, true);
    }
  }
}
