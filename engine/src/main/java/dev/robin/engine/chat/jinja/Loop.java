package dev.robin.engine.chat.jinja;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Jinja2's {@code loop}: index, first/last, length, previtem/nextitem, cycle, changed, and recursion. */
final class Loop implements PyCallable {

  private final List<Object> items;
  private final int depth0;
  private final Function<Object, String> recurse;
  int index0;
  private List<Object> lastChanged;

  Loop(List<Object> items, int depth0, Function<Object, String> recurse) {
    this.items = items;
    this.depth0 = depth0;
    this.recurse = recurse;
  }

  int length() {
    return items.size();
  }

  Object attribute(String name) {
    switch (name) {
      case "index":
        return (long) index0 + 1;
      case "index0":
        return (long) index0;
      case "revindex":
        return (long) (items.size() - index0);
      case "revindex0":
        return (long) (items.size() - index0 - 1);
      case "first":
        return index0 == 0;
      case "last":
        return index0 == items.size() - 1;
      case "length":
        return (long) items.size();
      case "depth":
        return (long) depth0 + 1;
      case "depth0":
        return (long) depth0;
      case "previtem":
        return index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
      case "nextitem":
        return index0 + 1 < items.size() ? items.get(index0 + 1) : new Undefined("there is no next item");
      case "cycle":
        return (PyCallable) (args, kwargs) -> {
          if (args.isEmpty()) {
            throw TemplateRuntimeError.type("no items for cycling given");
          }
          return args.get(index0 % args.size());
        };
      case "changed":
        return (PyCallable) (args, kwargs) -> {
          if (lastChanged == null || !Py.eq(lastChanged, args)) {
            lastChanged = args;
            return true;
          }
          return false;
        };
      default:
        return Undefined.member(this, name);
    }
  }

  /** {@code loop(children)} in a {@code recursive} loop: renders the loop's body over the children. */
  @Override
  public Object call(List<Object> args, Map<String, Object> kwargs) {
    if (recurse == null) {
      throw TemplateRuntimeError.type("Tried to call non recursive loop.  Maybe you forgot the 'recursive' "
          + "modifier.");
    }
    if (args.size() != 1) {
      throw TemplateRuntimeError.type("loop() takes exactly one argument");
    }
    return recurse.apply(args.get(0));
  }

  @Override
  public String toString() {
    return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
  }
}
