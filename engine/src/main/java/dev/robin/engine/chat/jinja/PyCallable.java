package dev.robin.engine.chat.jinja;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a bound method, a macro, {@code loop.cycle}. */
@FunctionalInterface
interface PyCallable {

  Object call(List<Object> args, Map<String, Object> kwargs);
}
