package dev.robin.engine.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What bounds a render: output size, recursion, the sandbox's range limit; and renders sharing a template. */
class TemplateLimitsTest {

  @Test
  void outputPastTheBoundFails() {
    Template t = Template.parse("{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}");
    assertEquals(100_000, t.render(Map.of(), 100_000).length());
    TemplateRuntimeError e = assertThrows(TemplateRuntimeError.class, () -> t.render(Map.of(), 99_999));
    assertEquals("the rendered template is too large", e.getMessage());
  }

  @Test
  void endlessRecursionFailsAsInPython() {
    Template t = Template.parse("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    TemplateRuntimeError e = assertThrows(TemplateRuntimeError.class, () -> t.render(Map.of()));
    assertEquals("RecursionError", e.kind());
  }

  @Test
  void rangesAreBoundedAsInJinjasSandbox() {
    TemplateRuntimeError e = assertThrows(TemplateRuntimeError.class,
        () -> Template.parse("{{ range(100001) | length }}").render(Map.of()));
    assertEquals("OverflowError", e.kind());
  }

  @Test
  void rendersOfOneTemplateDoNotShareState() throws Exception {
    Template t = Template.parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m %}"
        + "{% endfor %}{{ ns.n }}");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        List<Integer> messages = List.of(i, i, i);
        results.add(pool.submit(() -> t.render(Map.of("messages", messages))));
      }
      for (int i = 0; i < 200; i++) {
        assertEquals(String.valueOf(3 * i), results.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
