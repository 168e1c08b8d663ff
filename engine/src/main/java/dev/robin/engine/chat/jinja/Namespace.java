package dev.robin.engine.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** Jinja2's {@code namespace(...)}: attributes a template may assign with {@code {% set ns.x = ... %}}. */
final class Namespace {

  final Map<String, Object> attributes = new LinkedHashMap<>();

  @Override
  public String toString() {
    return "<Namespace " + Py.repr(attributes) + ">";
  }
}
