package dev.robin.engine.chat.jinja;

import dev.robin.engine.chat.jinja.Nodes.Stmt;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja2 template, parsed and rendered as Python's Jinja2 3.1 does in the environment Hugging Face
 * transformers builds for chat templates: {@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True, extensions=[loopcontrols, AssistantTracker])}, with transformers' {@code tojson},
 * {@code raise_exception} and {@code strftime_now}. Values follow Python's semantics (str, int, float,
 * list, dict, None, Undefined): how they print, compare, index, slice and which methods they have.
 *
 * <p>Immutable and thread-safe once parsed: every render has its own scopes.
 */
public final class Template {

  /** Output bound of one render, in chars. */
  public static final long DEFAULT_MAX_OUTPUT_CHARS = 64L * 1024 * 1024;

  private static final Map<String, Object> GLOBALS = Builtins.globals();

  private final List<Stmt> body;

  private Template(List<Stmt> body) {
    this.body = body;
  }

  /**
   * Parses {@code source}.
   *
   * @throws TemplateSyntaxError when it is not a template Jinja2 would compile (including an unknown
   *     filter or test)
   */
  public static Template parse(String source) {
    Objects.requireNonNull(source, "source");
    return new Template(Parser.parse(source));
  }

  /**
   * Renders with these variables: Java strings, numbers, booleans, null, maps, lists and Jackson
   * {@code JsonNode}s, which become Python values (copies: the template cannot change the caller's data).
   *
   * @throws TemplateRaised when the template calls {@code raise_exception(message)}
   * @throws TemplateRuntimeError when rendering fails as it would in Python (an undefined value used,
   *     a type error, a refused method, output over the bound)
   */
  public String render(Map<String, ?> variables) {
    return render(variables, DEFAULT_MAX_OUTPUT_CHARS);
  }

  public String render(Map<String, ?> variables, long maxOutputChars) {
    Output.Budget budget = new Output.Budget(maxOutputChars);
    Frame globals = new Frame(budget);
    GLOBALS.forEach(globals::set);
    Frame root = new Frame(globals);
    variables.forEach((name, value) -> root.set(name, Py.wrap(value)));
    Output out = new Output(budget);
    try {
      Nodes.renderAll(body, root, out);
    } catch (TemplateRuntimeError e) {
      throw e;
    } catch (Nodes.LoopControl e) {
      throw new TemplateRuntimeError("TemplateSyntaxError", "'break' or 'continue' outside of a loop");
    } catch (StackOverflowError e) {
      throw new TemplateRuntimeError("RecursionError", "maximum recursion depth exceeded");
    } catch (ArithmeticException e) {
      throw new TemplateRuntimeError("OverflowError", e.getMessage());
    } catch (RuntimeException e) {
      throw new TemplateRuntimeError("Error", String.valueOf(e));
    }
    return out.toString();
  }
}
