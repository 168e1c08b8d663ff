package dev.robin.engine.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The template's syntax tree; each node evaluates (expressions) or renders (statements) itself. */
final class Nodes {

  private Nodes() {}

  // ------------------------------------------------------------------------------------------ expressions

  abstract static class Expr {
    final int line;

    Expr(int line) {
      this.line = line;
    }

    abstract Object eval(Frame f);
  }

  static final class Const extends Expr {
    final Object value;

    Const(int line, Object value) {
      super(line);
      this.value = value;
    }

    @Override
    Object eval(Frame f) {
      return value;
    }
  }

  static final class Name extends Expr {
    final String name;

    Name(int line, String name) {
      super(line);
      this.name = name;
    }

    @Override
    Object eval(Frame f) {
      return f.lookup(name);
    }
  }

  static final class ListLiteral extends Expr {
    final List<Expr> items;
    final boolean tuple;

    ListLiteral(int line, List<Expr> items, boolean tuple) {
      super(line);
      this.items = items;
      this.tuple = tuple;
    }

    @Override
    Object eval(Frame f) {
      List<Object> out = new ArrayList<>(items.size());
      for (Expr e : items) {
        out.add(e.eval(f));
      }
      return tuple ? new PyTuple(out) : out;
    }
  }

  static final class DictLiteral extends Expr {
    final List<Expr> keys;
    final List<Expr> values;

    DictLiteral(int line, List<Expr> keys, List<Expr> values) {
      super(line);
      this.keys = keys;
      this.values = values;
    }

    @Override
    Object eval(Frame f) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        Object key = keys.get(i).eval(f);
        if (key instanceof List<?> && !(key instanceof PyTuple) || key instanceof Map<?, ?>) {
          throw TemplateRuntimeError.type("unhashable type: '" + Py.typeName(key) + "'");
        }
        Object existing = Py.findKey(out, key);
        out.put(existing == Py.MISSING ? key : existing, values.get(i).eval(f));
      }
      return out;
    }
  }

  static final class Getattr extends Expr {
    final Expr node;
    final String attribute;

    Getattr(int line, Expr node, String attribute) {
      super(line);
      this.node = node;
      this.attribute = attribute;
    }

    @Override
    Object eval(Frame f) {
      return Py.getattr(node.eval(f), attribute);
    }
  }

  static final class Getitem extends Expr {
    final Expr node;
    final Expr key;

    Getitem(int line, Expr node, Expr key) {
      super(line);
      this.node = node;
      this.key = key;
    }

    @Override
    Object eval(Frame f) {
      return Py.getitem(node.eval(f), key.eval(f));
    }
  }

  static final class SliceExpr extends Expr {
    final Expr start;
    final Expr stop;
    final Expr step;

    SliceExpr(int line, Expr start, Expr stop, Expr step) {
      super(line);
      this.start = start;
      this.stop = stop;
      this.step = step;
    }

    @Override
    Object eval(Frame f) {
      return new Py.Slice(start == null ? null : start.eval(f), stop == null ? null : stop.eval(f),
          step == null ? null : step.eval(f));
    }
  }

  /** Arguments of a call, filter or test: positional, keyword, {@code *args} and {@code **kwargs}. */
  static final class Args {
    final List<Expr> positional;
    final List<String> names;
    final List<Expr> keywords;
    final Expr dynArgs;
    final Expr dynKwargs;

    Args(List<Expr> positional, List<String> names, List<Expr> keywords, Expr dynArgs, Expr dynKwargs) {
      this.positional = positional;
      this.names = names;
      this.keywords = keywords;
      this.dynArgs = dynArgs;
      this.dynKwargs = dynKwargs;
    }

    static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);

    List<Object> positional(Frame f) {
      List<Object> out = new ArrayList<>(positional.size());
      for (Expr e : positional) {
        out.add(e.eval(f));
      }
      if (dynArgs != null) {
        out.addAll(Py.iterate(dynArgs.eval(f)));
      }
      return out;
    }

    Map<String, Object> keywords(Frame f) {
      if (names.isEmpty() && dynKwargs == null) {
        return Map.of();
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), keywords.get(i).eval(f));
      }
      if (dynKwargs != null) {
        Object extra = dynKwargs.eval(f);
        if (!(extra instanceof Map<?, ?> map)) {
          throw TemplateRuntimeError.type("argument after ** must be a mapping, not " + Py.typeName(extra));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
          out.put(Py.str(e.getKey()), e.getValue());
        }
      }
      return out;
    }
  }

  static final class Call extends Expr {
    final Expr node;
    final Args args;

    Call(int line, Expr node, Args args) {
      super(line);
      this.node = node;
      this.args = args;
    }

    @Override
    Object eval(Frame f) {
      Object fn = node.eval(f);
      return Py.call(fn, args.positional(f), args.keywords(f));
    }

    Object evalWith(Frame f, String extraName, Object extraValue) {
      Object fn = node.eval(f);
      Map<String, Object> kwargs = new LinkedHashMap<>(args.keywords(f));
      kwargs.put(extraName, extraValue);
      return Py.call(fn, args.positional(f), kwargs);
    }
  }

  static final class Filter extends Expr {
    final Expr node; // null in a filter block or a block set, whose body is the value
    final String name;
    final Builtins.FilterFn fn;
    final Args args;

    Filter(int line, Expr node, String name, Builtins.FilterFn fn, Args args) {
      super(line);
      this.node = node;
      this.name = name;
      this.fn = fn;
      this.args = args;
    }

    @Override
    Object eval(Frame f) {
      return apply(f, node.eval(f));
    }

    /** Applies this filter (after the inner ones, when {@code node} is a filter too) to {@code value}. */
    Object applyChain(Frame f, Object value) {
      Object inner = node == null ? value : ((Filter) node).applyChain(f, value);
      return apply(f, inner);
    }

    private Object apply(Frame f, Object value) {
      return fn.apply(f, value, args.positional(f), args.keywords(f));
    }
  }

  static final class Test extends Expr {
    final Expr node;
    final String name;
    final Builtins.TestFn fn;
    final Args args;

    Test(int line, Expr node, String name, Builtins.TestFn fn, Args args) {
      super(line);
      this.node = node;
      this.name = name;
      this.fn = fn;
      this.args = args;
    }

    @Override
    Object eval(Frame f) {
      return fn.test(f, node.eval(f), args.positional(f), args.keywords(f));
    }
  }

  static final class Not extends Expr {
    final Expr node;

    Not(int line, Expr node) {
      super(line);
      this.node = node;
    }

    @Override
    Object eval(Frame f) {
      return !Py.truthy(node.eval(f));
    }
  }

  static final class Unary extends Expr {
    final boolean negative;
    final Expr node;

    Unary(int line, boolean negative, Expr node) {
      super(line);
      this.negative = negative;
      this.node = node;
    }

    @Override
    Object eval(Frame f) {
      Object v = node.eval(f);
      return negative ? Py.neg(v) : Py.pos(v);
    }
  }

  static final class BinOp extends Expr {
    final String op;
    final Expr left;
    final Expr right;

    BinOp(int line, String op, Expr left, Expr right) {
      super(line);
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    Object eval(Frame f) {
      Object a = left.eval(f);
      Object b = right.eval(f);
      switch (op) {
        case "+":
          return Py.add(a, b);
        case "-":
          return Py.sub(a, b);
        case "*":
          return Py.mul(a, b);
        case "/":
          return Py.truediv(a, b);
        case "//":
          return Py.floordiv(a, b);
        case "%":
          return Py.mod(a, b);
        case "**":
          return Py.pow(a, b);
        default:
          throw new IllegalStateException(op);
      }
    }
  }

  static final class And extends Expr {
    final Expr left;
    final Expr right;

    And(int line, Expr left, Expr right) {
      super(line);
      this.left = left;
      this.right = right;
    }

    @Override
    Object eval(Frame f) {
      Object a = left.eval(f);
      return Py.truthy(a) ? right.eval(f) : a;
    }
  }

  static final class Or extends Expr {
    final Expr left;
    final Expr right;

    Or(int line, Expr left, Expr right) {
      super(line);
      this.left = left;
      this.right = right;
    }

    @Override
    Object eval(Frame f) {
      Object a = left.eval(f);
      return Py.truthy(a) ? a : right.eval(f);
    }
  }

  static final class Concat extends Expr {
    final List<Expr> parts;

    Concat(int line, List<Expr> parts) {
      super(line);
      this.parts = parts;
    }

    @Override
    Object eval(Frame f) {
      StringBuilder out = new StringBuilder();
      for (Expr e : parts) {
        out.append(Py.str(e.eval(f)));
      }
      return out.toString();
    }
  }

  static final class Compare extends Expr {
    final Expr first;
    final List<String> ops;
    final List<Expr> operands;

    Compare(int line, Expr first, List<String> ops, List<Expr> operands) {
      super(line);
      this.first = first;
      this.ops = ops;
      this.operands = operands;
    }

    @Override
    Object eval(Frame f) {
      Object left = first.eval(f);
      for (int i = 0; i < ops.size(); i++) {
        Object right = operands.get(i).eval(f);
        if (!compare(ops.get(i), left, right)) {
          return false;
        }
        left = right;
      }
      return true;
    }

    static boolean compare(String op, Object a, Object b) {
      switch (op) {
        case "==":
          return Py.eq(a, b);
        case "!=":
          return !Py.eq(a, b);
        case "<":
          return Py.compare(a, b, op) < 0;
        case "<=":
          return Py.compare(a, b, op) <= 0;
        case ">":
          return Py.compare(a, b, op) > 0;
        case ">=":
          return Py.compare(a, b, op) >= 0;
        case "in":
          return Py.contains(b, a);
        case "not in":
          return !Py.contains(b, a);
        default:
          throw new IllegalStateException(op);
      }
    }
  }

  static final class CondExpr extends Expr {
    final Expr test;
    final Expr then;
    final Expr otherwise;

    CondExpr(int line, Expr test, Expr then, Expr otherwise) {
      super(line);
      this.test = test;
      this.then = then;
      this.otherwise = otherwise;
    }

    @Override
    Object eval(Frame f) {
      if (Py.truthy(test.eval(f))) {
        return then.eval(f);
      }
      if (otherwise == null) {
        return new Undefined("the inline if-expression on line " + line
            + " evaluated to false and no else section was defined.");
      }
      return otherwise.eval(f);
    }
  }

  // ------------------------------------------------------------------------------------------- statements

  abstract static class Stmt {
    final int line;

    Stmt(int line) {
      this.line = line;
    }

    final void render(Frame f, Output out) {
      try {
        exec(f, out);
      } catch (TemplateRuntimeError e) {
        e.lineIfUnknown(line);
        throw e;
      }
    }

    abstract void exec(Frame f, Output out);
  }

  static void renderAll(List<Stmt> body, Frame f, Output out) {
    for (Stmt s : body) {
      s.render(f, out);
    }
  }

  static String capture(List<Stmt> body, Frame f) {
    Output out = new Output(f.budget);
    renderAll(body, f, out);
    return out.toString();
  }

  static final class Text extends Stmt {
    final String text;

    Text(int line, String text) {
      super(line);
      this.text = text;
    }

    @Override
    void exec(Frame f, Output out) {
      out.append(text);
    }
  }

  static final class Print extends Stmt {
    final Expr expr;

    Print(int line, Expr expr) {
      super(line);
      this.expr = expr;
    }

    @Override
    void exec(Frame f, Output out) {
      out.append(Py.str(expr.eval(f)));
    }
  }

  static final class If extends Stmt {
    final List<Expr> tests;
    final List<List<Stmt>> bodies;
    final List<Stmt> otherwise;

    If(int line, List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise) {
      super(line);
      this.tests = tests;
      this.bodies = bodies;
      this.otherwise = otherwise;
    }

    @Override
    void exec(Frame f, Output out) {
      for (int i = 0; i < tests.size(); i++) {
        if (Py.truthy(tests.get(i).eval(f))) {
          renderAll(bodies.get(i), f, out);
          return;
        }
      }
      renderAll(otherwise, f, out);
    }
  }

  /** An assignment target: a name, names to unpack into, or a namespace attribute. */
  static final class Target {
    final List<String> names; // one name, or several to unpack
    final boolean unpack;
    final String attribute; // set ns.attribute = ...

    Target(List<String> names, boolean unpack, String attribute) {
      this.names = names;
      this.unpack = unpack;
      this.attribute = attribute;
    }

    void assign(Frame f, Object value) {
      if (attribute != null) {
        Object ns = f.lookup(names.get(0));
        if (!(ns instanceof Namespace namespace)) {
          throw new TemplateRuntimeError("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
        }
        namespace.attributes.put(attribute, value);
        return;
      }
      if (!unpack) {
        f.set(names.get(0), value);
        return;
      }
      List<Object> items = Py.iterate(value);
      if (items.size() != names.size()) {
        throw TemplateRuntimeError.value(items.size() < names.size()
            ? "not enough values to unpack (expected " + names.size() + ", got " + items.size() + ")"
            : "too many values to unpack (expected " + names.size() + ")");
      }
      for (int i = 0; i < names.size(); i++) {
        f.set(names.get(i), items.get(i));
      }
    }
  }

  static final class For extends Stmt {
    final Target target;
    final Expr iterable;
    final List<Stmt> body;
    final List<Stmt> otherwise;
    final Expr filter;
    final boolean recursive;

    For(int line, Target target, Expr iterable, List<Stmt> body, List<Stmt> otherwise, Expr filter,
        boolean recursive) {
      super(line);
      this.target = target;
      this.iterable = iterable;
      this.body = body;
      this.otherwise = otherwise;
      this.filter = filter;
      this.recursive = recursive;
    }

    @Override
    void exec(Frame f, Output out) {
      loop(f, iterable.eval(f), 0, out);
    }

    private void loop(Frame f, Object iterable, int depth, Output out) {
      List<Object> items = Py.iterate(iterable);
      if (filter != null) {
        List<Object> kept = new ArrayList<>();
        for (Object item : items) {
          Frame scope = new Frame(f);
          target.assign(scope, item);
          if (Py.truthy(filter.eval(scope))) {
            kept.add(item);
          }
        }
        items = kept;
      }
      Loop loop = new Loop(items, depth, recursive ? children -> {
        Output inner = new Output(f.budget);
        loop(f, children, depth + 1, inner);
        return inner.toString();
      } : null);
      for (int i = 0; i < items.size(); i++) {
        Frame scope = new Frame(f);
        loop.index0 = i;
        scope.set("loop", loop);
        target.assign(scope, items.get(i));
        try {
          renderAll(body, scope, out);
        } catch (LoopControl control) {
          if (control == LoopControl.BREAK) {
            break;
          }
        }
      }
      if (items.isEmpty()) {
        renderAll(otherwise, new Frame(f), out);
      }
    }
  }

  /** {@code {% break %}} and {@code {% continue %}} (Jinja2's loopcontrols extension). */
  static final class LoopControl extends RuntimeException {
    static final LoopControl BREAK = new LoopControl();
    static final LoopControl CONTINUE = new LoopControl();

    private LoopControl() {
      super(null, null, false, false);
    }
  }

  static final class Control extends Stmt {
    final LoopControl control;

    Control(int line, LoopControl control) {
      super(line);
      this.control = control;
    }

    @Override
    void exec(Frame f, Output out) {
      throw control;
    }
  }

  static final class Assign extends Stmt {
    final Target target;
    final Expr value;

    Assign(int line, Target target, Expr value) {
      super(line);
      this.target = target;
      this.value = value;
    }

    @Override
    void exec(Frame f, Output out) {
      target.assign(f, value.eval(f));
    }
  }

  static final class AssignBlock extends Stmt {
    final Target target;
    final Filter filter;
    final List<Stmt> body;

    AssignBlock(int line, Target target, Filter filter, List<Stmt> body) {
      super(line);
      this.target = target;
      this.filter = filter;
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      Object value = capture(body, new Frame(f));
      if (filter != null) {
        value = filter.applyChain(f, value);
      }
      target.assign(f, value);
    }
  }

  static final class FilterBlock extends Stmt {
    final Filter filter;
    final List<Stmt> body;

    FilterBlock(int line, Filter filter, List<Stmt> body) {
      super(line);
      this.filter = filter;
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      out.append(Py.str(filter.applyChain(f, capture(body, new Frame(f)))));
    }
  }

  static final class With extends Stmt {
    final List<Target> targets;
    final List<Expr> values;
    final List<Stmt> body;

    With(int line, List<Target> targets, List<Expr> values, List<Stmt> body) {
      super(line);
      this.targets = targets;
      this.values = values;
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      Frame scope = new Frame(f);
      for (int i = 0; i < targets.size(); i++) {
        targets.get(i).assign(scope, values.get(i).eval(f));
      }
      renderAll(body, scope, out);
    }
  }

  static final class MacroDef extends Stmt {
    final String name;
    final List<String> params;
    final List<Expr> defaults;
    final List<Stmt> body;

    MacroDef(int line, String name, List<String> params, List<Expr> defaults, List<Stmt> body) {
      super(line);
      this.name = name;
      this.params = params;
      this.defaults = defaults;
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      f.set(name, new Macro(name, params, defaults, body, f));
    }
  }

  static final class CallBlock extends Stmt {
    final Call call;
    final List<String> params;
    final List<Expr> defaults;
    final List<Stmt> body;

    CallBlock(int line, Call call, List<String> params, List<Expr> defaults, List<Stmt> body) {
      super(line);
      this.call = call;
      this.params = params;
      this.defaults = defaults;
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      Macro caller = new Macro("caller", params, defaults, body, f);
      out.append(Py.str(call.evalWith(f, "caller", caller)));
    }
  }

  /** transformers' {@code {% generation %}} (its assistant-mask extension): renders its body. */
  static final class Block extends Stmt {
    final List<Stmt> body;

    Block(int line, List<Stmt> body) {
      super(line);
      this.body = body;
    }

    @Override
    void exec(Frame f, Output out) {
      renderAll(body, f, out);
    }
  }

  /** A macro: a callable that renders its body with its arguments bound, returning the text. */
  static final class Macro implements PyCallable {
    final String name;
    final List<String> params;
    final List<Expr> defaults;
    final List<Stmt> body;
    final Frame closure;

    Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, Frame closure) {
      this.name = name;
      this.params = params;
      this.defaults = defaults;
      this.body = body;
      this.closure = closure;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
      Frame scope = new Frame(closure);
      Map<String, Object> rest = new LinkedHashMap<>(kwargs);
      int firstDefault = params.size() - defaults.size();
      for (int i = 0; i < params.size(); i++) {
        String p = params.get(i);
        Object v;
        if (i < args.size()) {
          if (rest.containsKey(p)) {
            throw TemplateRuntimeError.type("macro " + Py.repr(name) + " got multiple values for argument "
                + Py.repr(p));
          }
          v = args.get(i);
        } else if (rest.containsKey(p)) {
          v = rest.remove(p);
        } else if (i >= firstDefault) {
          v = defaults.get(i - firstDefault).eval(scope);
        } else {
          v = new Undefined("parameter " + Py.repr(p) + " was not provided");
        }
        scope.set(p, v);
      }
      Object caller = rest.remove("caller");
      scope.set("caller", caller != null ? caller : new Undefined("No caller defined"));
      scope.set("varargs", args.size() > params.size()
          ? new PyTuple(args.subList(params.size(), args.size())) : new PyTuple());
      scope.set("kwargs", new LinkedHashMap<Object, Object>(rest));
      return capture(body, scope);
    }

    @Override
    public String toString() {
      return "<Macro " + Py.repr(name) + ">";
    }
  }
}
