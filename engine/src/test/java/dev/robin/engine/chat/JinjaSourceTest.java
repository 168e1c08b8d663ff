package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class JinjaSourceTest {

  @Test
  void unaryNotTakesTheWholeComparison() {
    assertEquals(" if not (message.tool_calls|length == 1) ", JinjaSource.groupNot(" if not message.tool_calls|length == 1 "));
    assertEquals(" if not (a == b) and not (c) ", JinjaSource.groupNot(" if not a == b and not c "));
    assertEquals(" 'x' if not (y) else 'z' ", JinjaSource.groupNot(" 'x' if not y else 'z' "));
    assertEquals(" f(not (a), b) ", JinjaSource.groupNot(" f(not a, b) "));
    assertEquals(" not (not (a)) ", JinjaSource.groupNot(" not not a "));
  }

  @Test
  void isNotAndNotInAndStringsAreLeftAlone() {
    assertEquals(" if tools is not none ", JinjaSource.groupNot(" if tools is not none "));
    assertEquals(" if 'a' not in b ", JinjaSource.groupNot(" if 'a' not in b "));
    assertEquals(" 'not a' + notes ", JinjaSource.groupNot(" 'not a' + notes "));
  }

  @Test
  void filteredLoopsBecomeACollectingLoop() {
    assertEquals("{% set __robin_filtered_0 = [] %}{% for k, v in d.items() %}{% if k != \"x\" %}"
        + "{% do __robin_filtered_0.append([k, v]) %}{% endif %}{% endfor %}{% for k, v in __robin_filtered_0 %}",
        JinjaSource.rewriteFilteredLoop(" for k, v in d.items() if k != \"x\" ", 0));
    assertNull(JinjaSource.rewriteFilteredLoop(" for m in messages ", 0));
    assertNull(JinjaSource.rewriteFilteredLoop(" if a ", 0));
  }

  @Test
  void findsTheFiltersAndTestsATemplateUses() {
    String t = "{{ a | trim + 'x | fake' }}{% if b is not none and c is defined %}{{ d|tojson(indent=2) }}{% endif %}"
        + "{{ 'this is text' }}";
    assertEquals(java.util.Set.of("trim", "tojson"), JinjaSource.namesUsed(t, false));
    assertEquals(java.util.Set.of("none", "defined"), JinjaSource.namesUsed(t, true));
  }

  @Test
  void whitespaceControlAndBlockTrimming() {
    assertEquals("a{{ x }}b", JinjaSource.normalize("a  \n {{- x -}} \n b"));
    assertEquals("x\n{% if true %}y{% endif %}", JinjaSource.normalize("x\n  {% if true %}\ny{% endif %}\n"));
    assertEquals("ab", JinjaSource.normalize("a\n{#- comment #}\nb"));
  }
}
