package dev.robin.engine.chat.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * A scope of variables. As in Jinja2, {@code if} shares its scope, while each iteration of a {@code for}
 * loop, a macro call, {@code with} and captured blocks get a new one: what they {@code set} does not
 * leak out (hence {@code namespace()}).
 */
final class Frame {

  final Frame parent;
  final Output.Budget budget;
  private final Map<String, Object> vars = new HashMap<>();

  Frame(Frame parent) {
    this.parent = parent;
    this.budget = parent.budget;
  }

  Frame(Output.Budget budget) {
    this.parent = null;
    this.budget = budget;
  }

  Object lookup(String name) {
    for (Frame f = this; f != null; f = f.parent) {
      Object v = f.vars.get(name);
      if (v != null || f.vars.containsKey(name)) {
        return v;
      }
    }
    return Undefined.name(name);
  }

  void set(String name, Object value) {
    vars.put(name, value);
  }
}
