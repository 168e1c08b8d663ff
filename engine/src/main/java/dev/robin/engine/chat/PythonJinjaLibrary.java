package dev.robin.engine.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;

/**
 * What transformers adds to Jinja2 for chat templates, and the Jinja2 behaviours Jinjava does differently:
 * {@code raise_exception}, {@code strftime_now}, {@code tojson} as {@code json.dumps}, {@code trim} as
 * Python's {@code str.strip}, and the {@code iterable}/{@code sequence} tests, which are true for strings
 * in Python (Llama 3.2 JSON-quotes a string tool result because of it).
 */
final class PythonJinjaLibrary {

  private PythonJinjaLibrary() {}

  static void install(Jinjava jinjava) {
    jinjava.registerFunction(new ELFunctionDefinition(
        "", "raise_exception", PythonJinjaLibrary.class, "raiseException", String.class));
    jinjava.registerFunction(new ELFunctionDefinition(
        "", "strftime_now", PythonJinjaLibrary.class, "strftimeNow", String.class));
    jinjava.registerFilter(new ToJsonFilter());
    jinjava.registerFilter(new PythonTrimFilter());
    jinjava.registerExpTest(new PythonIterableTest("iterable"));
    jinjava.registerExpTest(new PythonIterableTest("sequence"));
  }

  /** A template's {@code raise_exception(msg)}; carries the template's message. */
  static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message, null, false, false);
    }
  }

  public static Object raiseException(String message) {
    throw new TemplateRaised(message);
  }

  public static String strftimeNow(String format) {
    return StrftimeFormatter.format(ZonedDateTime.now(), format, Locale.ENGLISH);
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

  /** Python's notion: strings, lists, tuples and dicts are iterable (and, but for dicts, sequences). */
  private static final class PythonIterableTest implements ExpTest {
    private final String name;

    PythonIterableTest(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      if (var instanceof CharSequence || var instanceof Iterable<?> || (var != null && var.getClass().isArray())) {
        return true;
      }
      return var instanceof Map<?, ?>;
    }
  }
}
