package dev.robin.engine.chat.jinja;

import dev.robin.engine.chat.jinja.Lexer.Token;
import dev.robin.engine.chat.jinja.Lexer.Type;
import dev.robin.engine.chat.jinja.Nodes.Args;
import dev.robin.engine.chat.jinja.Nodes.Expr;
import dev.robin.engine.chat.jinja.Nodes.Stmt;
import dev.robin.engine.chat.jinja.Nodes.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Jinja2's parser: the same grammar and operator precedence (conditional expression, {@code or},
 * {@code and}, {@code not}, comparisons and {@code in}, {@code + -}, {@code ~}, {@code * / // %},
 * {@code **}, unary {@code - +}, then primaries with attributes, items, slices, calls, filters and tests).
 * Tags: {@code if}, {@code for} (with {@code else}, a filter and {@code recursive}), {@code set} (also
 * namespace attributes and blocks), {@code macro}, {@code call}, {@code filter}, {@code with},
 * {@code print}, {@code raw}, the loopcontrols {@code break}/{@code continue} and transformers'
 * {@code generation}. Unknown filters and tests are errors here, as in Jinja2's compiler.
 */
final class Parser {

  private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

  private final List<Token> tokens;
  private int pos;
  private final List<String> tagStack = new ArrayList<>();
  /**
   * Filters and tests that do not exist. Jinja2's compiler refuses them, except inside an {@code if}
   * (its test and the statements directly in its branches) or an inline if-expression, where they fail
   * only when evaluated (so {@code {% if 'x' is filter %}{{ v|x }}{% endif %}} works).
   */
  private final List<Unknown> unknown = new ArrayList<>();
  private boolean soft;

  private static final class Unknown {
    final String message;
    final int line;
    boolean soft;

    Unknown(String message, int line, boolean soft) {
      this.message = message;
      this.line = line;
      this.soft = soft;
    }
  }

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static List<Stmt> parse(String source) {
    Parser p = new Parser(Lexer.tokenize(source));
    List<Stmt> body = p.subparse(Set.of());
    for (Unknown u : p.unknown) {
      if (!u.soft) {
        throw new TemplateSyntaxError(u.message, u.line);
      }
    }
    return body;
  }

  // ------------------------------------------------------------------------------------------ the stream

  private Token current() {
    return tokens.get(pos);
  }

  private Token look() {
    return tokens.get(Math.min(pos + 1, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (pos < tokens.size() - 1) {
      pos++;
    }
    return t;
  }

  private TemplateSyntaxError fail(String message, int line) {
    return new TemplateSyntaxError(message, line);
  }

  private TemplateSyntaxError fail(String message) {
    return fail(message, current().line());
  }

  private Token expectOperator(String op) {
    Token t = current();
    if (!t.isOperator(op)) {
      throw unexpected(t, "'" + op + "'");
    }
    return next();
  }

  private Token expect(Type type, String what) {
    Token t = current();
    if (!t.is(type)) {
      throw unexpected(t, what);
    }
    return next();
  }

  private String expectName() {
    return (String) expect(Type.NAME, "name").value();
  }

  private void expectName(String name) {
    Token t = current();
    if (!t.isName(name)) {
      throw unexpected(t, "'" + name + "'");
    }
    next();
  }

  private TemplateSyntaxError unexpected(Token t, String expected) {
    if (t.is(Type.EOF)) {
      return fail("unexpected end of template, expected " + expected + ".", t.line());
    }
    return fail("expected token " + expected + ", got '" + t.describe() + "'", t.line());
  }

  private boolean skipOperator(String op) {
    if (current().isOperator(op)) {
      next();
      return true;
    }
    return false;
  }

  private boolean skipName(String name) {
    if (current().isName(name)) {
      next();
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------ statements

  /** Template data, prints and tags up to (not including) one of {@code endTags}, or the end. */
  private List<Stmt> subparse(Set<String> endTags) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token t = current();
      switch (t.type()) {
        case EOF:
          if (!endTags.isEmpty()) {
            throw unknownOrEnd(null, endTags, t.line());
          }
          return body;
        case DATA:
          next();
          body.add(new Nodes.Text(t.line(), (String) t.value()));
          break;
        case VARIABLE_BEGIN:
          next();
          Expr e = parseTuple(true, false, Set.of());
          body.add(new Nodes.Print(t.line(), e));
          expect(Type.VARIABLE_END, "end of print statement");
          break;
        case BLOCK_BEGIN:
          next();
          Token tag = current();
          if (tag.is(Type.NAME) && endTags.contains(tag.text())) {
            return body;
          }
          body.add(parseStatement(endTags));
          expect(Type.BLOCK_END, "end of statement block");
          break;
        default:
          throw fail("unexpected '" + t.describe() + "'", t.line());
      }
    }
  }

  private TemplateSyntaxError unknownOrEnd(String name, Set<String> endTags, int line) {
    StringBuilder message = new StringBuilder(name == null ? "Unexpected end of template."
        : "Encountered unknown tag " + Py.repr(name) + ".");
    if (!endTags.isEmpty()) {
      List<String> sorted = new ArrayList<>(endTags);
      sorted.sort(null);
      message.append(" Jinja was looking for the following tags: ");
      for (int i = 0; i < sorted.size(); i++) {
        if (i > 0) {
          message.append(" or ");
        }
        message.append('\'').append(sorted.get(i)).append('\'');
      }
      message.append('.');
      if (!tagStack.isEmpty()) {
        message.append(" The innermost block that needs to be closed is '")
            .append(tagStack.get(tagStack.size() - 1)).append("'.");
      }
    }
    return fail(message.toString(), line);
  }

  /** The body of a tag up to one of {@code endTags}, which is left current (or consumed with drop). */
  private List<Stmt> parseStatements(Set<String> endTags, boolean dropNeedle) {
    skipOperator(":");
    expect(Type.BLOCK_END, "end of statement block");
    List<Stmt> body = subparse(endTags);
    if (current().is(Type.EOF)) {
      throw unknownOrEnd(null, endTags, current().line());
    }
    if (dropNeedle) {
      next();
    }
    return body;
  }

  private Stmt parseStatement(Set<String> outerEndTags) {
    Token t = current();
    if (!t.is(Type.NAME)) {
      throw fail("tag name expected", t.line());
    }
    String name = t.text();
    tagStack.add(name);
    try {
      switch (name) {
        case "if":
          return parseIf();
        case "for":
          return parseFor();
        case "set":
          return parseSet();
        case "macro":
          return parseMacro();
        case "call":
          return parseCallBlock();
        case "filter":
          return parseFilterBlock();
        case "with":
          return parseWith();
        case "print": {
          next();
          List<Expr> exprs = new ArrayList<>();
          while (!current().is(Type.BLOCK_END)) {
            if (!exprs.isEmpty()) {
              expectOperator(",");
            }
            exprs.add(parseExpression(true));
          }
          Expr e = exprs.size() == 1 ? exprs.get(0) : new Nodes.Concat(t.line(), exprs);
          return new Nodes.Print(t.line(), e);
        }
        case "break":
          next();
          return new Nodes.Control(t.line(), Nodes.LoopControl.BREAK);
        case "continue":
          next();
          return new Nodes.Control(t.line(), Nodes.LoopControl.CONTINUE);
        case "generation": {
          next();
          List<Stmt> body = parseStatements(Set.of("endgeneration"), true);
          return new Nodes.Block(t.line(), body);
        }
        case "extends":
        case "include":
        case "import":
        case "from":
        case "block":
        case "autoescape":
          throw fail("the tag '" + name + "' is not supported: a chat template renders on its own", t.line());
        default:
          throw unknownOrEnd(name, outerEndTags, t.line());
      }
    } finally {
      tagStack.remove(tagStack.size() - 1);
    }
  }

  private Stmt parseIf() {
    boolean outer = soft;
    soft = true;
    try {
      return parseIfBranches();
    } finally {
      soft = outer;
    }
  }

  /** Runs {@code parse} in a new (non-soft) scope, as Jinja2 compiles loop, macro and block bodies. */
  private <T> T inScope(java.util.function.Supplier<T> parse) {
    boolean outer = soft;
    soft = false;
    try {
      return parse.get();
    } finally {
      soft = outer;
    }
  }

  private Stmt parseIfBranches() {
    int line = next().line();
    List<Expr> tests = new ArrayList<>();
    List<List<Stmt>> bodies = new ArrayList<>();
    List<Stmt> otherwise = List.of();
    while (true) {
      tests.add(parseTuple(false, false, Set.of()));
      bodies.add(parseStatements(Set.of("elif", "else", "endif"), false));
      Token t = next();
      if (t.isName("elif")) {
        continue;
      }
      if (t.isName("else")) {
        otherwise = parseStatements(Set.of("endif"), true);
      }
      break;
    }
    return new Nodes.If(line, tests, bodies, otherwise);
  }

  private Stmt parseFor() {
    int line = next().line();
    Target target = parseAssignTarget(true, false, Set.of("in"));
    expectName("in");
    Expr iterable = parseTuple(false, false, Set.of("recursive"));
    Expr filter = null;
    if (skipName("if")) {
      filter = inScope(() -> parseExpression(true));
    }
    boolean recursive = skipName("recursive");
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endfor", "else"), false));
    List<Stmt> otherwise = List.of();
    if (!next().isName("endfor")) {
      otherwise = inScope(() -> parseStatements(Set.of("endfor"), true));
    }
    return new Nodes.For(line, target, iterable, body, otherwise, filter, recursive);
  }

  private Stmt parseSet() {
    int line = next().line();
    Target target = parseAssignTarget(true, true, Set.of());
    if (skipOperator("=")) {
      return new Nodes.Assign(line, target, parseTuple(true, false, Set.of()));
    }
    Nodes.Filter filter = current().isOperator("|") ? parseFilter(null, false) : null;
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endset"), true));
    return new Nodes.AssignBlock(line, target, filter, body);
  }

  private Stmt parseMacro() {
    int line = next().line();
    String name = expectName();
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    inScope(() -> {
      parseSignature(params, defaults);
      return null;
    });
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endmacro"), true));
    return new Nodes.MacroDef(line, name, params, defaults, body);
  }

  private void parseSignature(List<String> params, List<Expr> defaults) {
    expectOperator("(");
    while (!current().isOperator(")")) {
      if (!params.isEmpty()) {
        expectOperator(",");
      }
      String param = expectName();
      if (skipOperator("=")) {
        defaults.add(parseExpression(true));
      } else if (!defaults.isEmpty()) {
        throw fail("non-default argument follows default argument");
      }
      params.add(param);
    }
    expectOperator(")");
  }

  private Stmt parseCallBlock() {
    int line = next().line();
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    if (current().isOperator("(")) {
      parseSignature(params, defaults);
    }
    Expr call = parseExpression(true);
    if (!(call instanceof Nodes.Call c)) {
      throw fail("expected call", line);
    }
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endcall"), true));
    return new Nodes.CallBlock(line, c, params, defaults, body);
  }

  private Stmt parseFilterBlock() {
    int line = next().line();
    Nodes.Filter filter = parseFilter(null, true);
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endfilter"), true));
    return new Nodes.FilterBlock(line, filter, body);
  }

  private Stmt parseWith() {
    int line = next().line();
    List<Target> targets = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!current().is(Type.BLOCK_END)) {
      if (!targets.isEmpty()) {
        expectOperator(",");
      }
      targets.add(parseAssignTarget(true, false, Set.of()));
      expectOperator("=");
      values.add(parseExpression(true));
    }
    List<Stmt> body = inScope(() -> parseStatements(Set.of("endwith"), true));
    return new Nodes.With(line, targets, values, body);
  }

  /** A name, names to unpack ({@code a, b} or {@code (a, b)}), or with a namespace {@code ns.attr}. */
  private Target parseAssignTarget(boolean withTuple, boolean withNamespace, Set<String> extraEnd) {
    if (withNamespace && current().is(Type.NAME) && look().isOperator(".")) {
      String ns = expectName();
      next();
      String attr = expectName();
      return new Target(List.of(ns), false, attr);
    }
    int line = current().line();
    Expr target = withTuple ? parseTuple(false, true, extraEnd) : parsePrimary();
    if (target instanceof Nodes.Name n) {
      return new Target(List.of(n.name), false, null);
    }
    if (target instanceof Nodes.ListLiteral list && list.tuple) {
      List<String> names = new ArrayList<>();
      for (Expr e : list.items) {
        if (!(e instanceof Nodes.Name n)) {
          throw fail("can't assign to " + describe(e), line);
        }
        names.add(n.name);
      }
      return new Target(names, true, null);
    }
    throw fail("can't assign to " + describe(target), line);
  }

  private static String describe(Expr e) {
    if (e instanceof Nodes.Const) {
      return "'Const'";
    }
    return "'" + e.getClass().getSimpleName() + "'";
  }

  // ----------------------------------------------------------------------------------------- expressions

  private boolean isTupleEnd(Set<String> extraEnd) {
    Token t = current();
    if (t.is(Type.VARIABLE_END) || t.is(Type.BLOCK_END) || t.isOperator(")")) {
      return true;
    }
    return t.is(Type.NAME) && extraEnd.contains(t.text());
  }

  /**
   * Comma-separated expressions, a tuple when there is a comma. {@code simplified}: primaries only (an
   * assignment target); {@code withCondexpr=false}: no inline if (a for loop's iterable, an if's test).
   */
  private Expr parseTuple(boolean withCondexpr, boolean simplified, Set<String> extraEnd) {
    return parseTuple(withCondexpr, simplified, extraEnd, false);
  }

  private Expr parseTuple(boolean withCondexpr, boolean simplified, Set<String> extraEnd, boolean explicitParens) {
    int line = current().line();
    List<Expr> items = new ArrayList<>();
    boolean isTuple = false;
    while (true) {
      if (!items.isEmpty()) {
        expectOperator(",");
      }
      if (isTupleEnd(extraEnd)) {
        break;
      }
      items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
      if (current().isOperator(",")) {
        isTuple = true;
      } else {
        break;
      }
    }
    if (!isTuple) {
      if (!items.isEmpty()) {
        return items.get(0);
      }
      if (!explicitParens) {
        throw fail("Expected an expression, got '" + current().describe() + "'");
      }
    }
    return new Nodes.ListLiteral(line, items, true);
  }

  private Expr parseExpression(boolean withCondexpr) {
    return withCondexpr ? parseCondexpr() : parseOr();
  }

  private Expr parseCondexpr() {
    int line = current().line();
    int firstUnknown = unknown.size();
    Expr expr1 = parseOr();
    if (current().isName("if")) {
      boolean outer = soft;
      soft = true;
      try {
        for (int i = firstUnknown; i < unknown.size(); i++) {
          unknown.get(i).soft = true;
        }
        return parseCondexprTail(line, expr1);
      } finally {
        soft = outer;
      }
    }
    return expr1;
  }

  private Expr parseCondexprTail(int line, Expr expr1) {
    while (skipName("if")) {
      Expr expr2 = parseOr();
      Expr expr3 = skipName("else") ? parseCondexpr() : null;
      expr1 = new Nodes.CondExpr(line, expr2, expr1, expr3);
      line = current().line();
    }
    return expr1;
  }

  private Expr parseOr() {
    int line = current().line();
    Expr left = parseAnd();
    while (skipName("or")) {
      left = new Nodes.Or(line, left, parseAnd());
      line = current().line();
    }
    return left;
  }

  private Expr parseAnd() {
    int line = current().line();
    Expr left = parseNot();
    while (skipName("and")) {
      left = new Nodes.And(line, left, parseNot());
      line = current().line();
    }
    return left;
  }

  private Expr parseNot() {
    if (current().isName("not")) {
      int line = next().line();
      return new Nodes.Not(line, parseNot());
    }
    return parseCompare();
  }

  private Expr parseCompare() {
    int line = current().line();
    Expr expr = parseMath1();
    List<String> ops = new ArrayList<>();
    List<Expr> operands = new ArrayList<>();
    while (true) {
      Token t = current();
      if (t.is(Type.OPERATOR) && COMPARE.contains(t.text())) {
        next();
        ops.add(t.text());
        operands.add(parseMath1());
      } else if (skipName("in")) {
        ops.add("in");
        operands.add(parseMath1());
      } else if (t.isName("not") && look().isName("in")) {
        next();
        next();
        ops.add("not in");
        operands.add(parseMath1());
      } else {
        break;
      }
    }
    return ops.isEmpty() ? expr : new Nodes.Compare(line, expr, ops, operands);
  }

  private Expr parseMath1() {
    int line = current().line();
    Expr left = parseConcat();
    while (current().isOperator("+") || current().isOperator("-")) {
      String op = next().text();
      left = new Nodes.BinOp(line, op, left, parseConcat());
      line = current().line();
    }
    return left;
  }

  private Expr parseConcat() {
    int line = current().line();
    List<Expr> parts = new ArrayList<>();
    parts.add(parseMath2());
    while (skipOperator("~")) {
      parts.add(parseMath2());
    }
    return parts.size() == 1 ? parts.get(0) : new Nodes.Concat(line, parts);
  }

  private Expr parseMath2() {
    int line = current().line();
    Expr left = parsePow();
    while (current().isOperator("*") || current().isOperator("/") || current().isOperator("//")
        || current().isOperator("%")) {
      String op = next().text();
      left = new Nodes.BinOp(line, op, left, parsePow());
      line = current().line();
    }
    return left;
  }

  private Expr parsePow() {
    int line = current().line();
    Expr left = parseUnary(true);
    while (skipOperator("**")) {
      left = new Nodes.BinOp(line, "**", left, parseUnary(true));
      line = current().line();
    }
    return left;
  }

  private Expr parseUnary(boolean withFilter) {
    Token t = current();
    Expr node;
    if (t.isOperator("-")) {
      next();
      node = new Nodes.Unary(t.line(), true, parseUnary(false));
    } else if (t.isOperator("+")) {
      next();
      node = new Nodes.Unary(t.line(), false, parseUnary(false));
    } else {
      node = parsePrimary();
    }
    node = parsePostfix(node);
    if (withFilter) {
      node = parseFilterExpr(node);
    }
    return node;
  }

  private Expr parsePrimary() {
    Token t = current();
    int line = t.line();
    switch (t.type()) {
      case NAME: {
        next();
        switch (t.text()) {
          case "true":
          case "True":
            return new Nodes.Const(line, true);
          case "false":
          case "False":
            return new Nodes.Const(line, false);
          case "none":
          case "None":
            return new Nodes.Const(line, null);
          default:
            return new Nodes.Name(line, t.text());
        }
      }
      case STRING: {
        next();
        StringBuilder s = new StringBuilder((String) t.value());
        while (current().is(Type.STRING)) {
          s.append((String) next().value());
        }
        return new Nodes.Const(line, s.toString());
      }
      case INTEGER:
      case FLOAT:
        next();
        return new Nodes.Const(line, t.value());
      case OPERATOR:
        if (t.isOperator("(")) {
          next();
          Expr e = parseTuple(true, false, Set.of(), true);
          expectOperator(")");
          return e;
        }
        if (t.isOperator("[")) {
          return parseList();
        }
        if (t.isOperator("{")) {
          return parseDict();
        }
        throw fail("unexpected '" + t.describe() + "'", line);
      default:
        throw fail("unexpected '" + t.describe() + "'", line);
    }
  }

  private Expr parseList() {
    int line = expectOperator("[").line();
    List<Expr> items = new ArrayList<>();
    while (!current().isOperator("]")) {
      if (!items.isEmpty()) {
        expectOperator(",");
      }
      if (current().isOperator("]")) {
        break;
      }
      items.add(parseExpression(true));
    }
    expectOperator("]");
    return new Nodes.ListLiteral(line, items, false);
  }

  private Expr parseDict() {
    int line = expectOperator("{").line();
    List<Expr> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!current().isOperator("}")) {
      if (!keys.isEmpty()) {
        expectOperator(",");
      }
      if (current().isOperator("}")) {
        break;
      }
      keys.add(parseExpression(true));
      expectOperator(":");
      values.add(parseExpression(true));
    }
    expectOperator("}");
    return new Nodes.DictLiteral(line, keys, values);
  }

  private Expr parsePostfix(Expr node) {
    while (true) {
      Token t = current();
      if (t.isOperator(".") || t.isOperator("[")) {
        node = parseSubscript(node);
      } else if (t.isOperator("(")) {
        node = new Nodes.Call(t.line(), node, parseCallArgs());
      } else {
        return node;
      }
    }
  }

  private Expr parseFilterExpr(Expr node) {
    while (true) {
      Token t = current();
      if (t.isOperator("|")) {
        node = parseFilter(node, false);
      } else if (t.isName("is")) {
        node = parseTest(node);
      } else if (t.isOperator("(")) {
        node = new Nodes.Call(t.line(), node, parseCallArgs());
      } else {
        return node;
      }
    }
  }

  private Expr parseSubscript(Expr node) {
    Token t = next();
    if (t.isOperator(".")) {
      Token attr = next();
      if (attr.is(Type.NAME)) {
        return new Nodes.Getattr(t.line(), node, attr.text());
      }
      if (!attr.is(Type.INTEGER)) {
        throw fail("expected name or number", attr.line());
      }
      return new Nodes.Getitem(t.line(), node, new Nodes.Const(attr.line(), attr.value()));
    }
    List<Expr> args = new ArrayList<>();
    while (!current().isOperator("]")) {
      if (!args.isEmpty()) {
        expectOperator(",");
      }
      args.add(parseSubscribed());
    }
    expectOperator("]");
    Expr key = args.size() == 1 ? args.get(0) : new Nodes.ListLiteral(t.line(), args, true);
    return new Nodes.Getitem(t.line(), node, key);
  }

  private Expr parseSubscribed() {
    int line = current().line();
    Expr start = null;
    if (current().isOperator(":")) {
      next();
    } else {
      Expr node = parseExpression(true);
      if (!current().isOperator(":")) {
        return node;
      }
      next();
      start = node;
    }
    Expr stop = null;
    if (!current().isOperator(":") && !current().isOperator("]") && !current().isOperator(",")) {
      stop = parseExpression(true);
    }
    Expr step = null;
    if (current().isOperator(":")) {
      next();
      if (!current().isOperator("]") && !current().isOperator(",")) {
        step = parseExpression(true);
      }
    }
    return new Nodes.SliceExpr(line, start, stop, step);
  }

  private Args parseCallArgs() {
    Token open = expectOperator("(");
    List<Expr> positional = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Expr> keywords = new ArrayList<>();
    Expr dynArgs = null;
    Expr dynKwargs = null;
    boolean requireComma = false;
    while (!current().isOperator(")")) {
      if (requireComma) {
        expectOperator(",");
        if (current().isOperator(")")) {
          break;
        }
      }
      if (current().isOperator("*")) {
        if (dynArgs != null || dynKwargs != null) {
          throw fail("invalid syntax for function call expression", open.line());
        }
        next();
        dynArgs = parseExpression(true);
      } else if (current().isOperator("**")) {
        if (dynKwargs != null) {
          throw fail("invalid syntax for function call expression", open.line());
        }
        next();
        dynKwargs = parseExpression(true);
      } else if (current().is(Type.NAME) && look().isOperator("=")) {
        if (dynKwargs != null) {
          throw fail("invalid syntax for function call expression", open.line());
        }
        String key = next().text();
        next();
        names.add(key);
        keywords.add(parseExpression(true));
      } else {
        if (dynArgs != null || dynKwargs != null || !names.isEmpty()) {
          throw fail("invalid syntax for function call expression", open.line());
        }
        positional.add(parseExpression(true));
      }
      requireComma = true;
    }
    expectOperator(")");
    return new Args(positional, names, keywords, dynArgs, dynKwargs);
  }

  private String dottedName() {
    StringBuilder name = new StringBuilder(expectName());
    while (current().isOperator(".")) {
      next();
      name.append('.').append(expectName());
    }
    return name.toString();
  }

  private Nodes.Filter parseFilter(Expr node, boolean startInline) {
    Nodes.Filter result = null;
    while (current().isOperator("|") || startInline) {
      if (!startInline) {
        next();
      }
      int line = current().line();
      String name = dottedName();
      Builtins.FilterFn fn = Builtins.FILTERS.get(name);
      if (fn == null) {
        unknown.add(new Unknown("No filter named " + Py.repr(name) + ".", line, soft));
        String missing = name;
        fn = (f, v, a, k) -> Builtins.filter(missing).apply(f, v, a, k);
      }
      Args args = current().isOperator("(") ? parseCallArgs() : Args.NONE;
      result = new Nodes.Filter(line, node, name, fn, args);
      node = result;
      startInline = false;
    }
    return result;
  }

  private Expr parseTest(Expr node) {
    int line = next().line();
    boolean negated = skipName("not");
    String name = dottedName();
    Builtins.TestFn fn = Builtins.TESTS.get(name);
    if (fn == null) {
      unknown.add(new Unknown("No test named " + Py.repr(name) + ".", line, soft));
      String missing = name;
      fn = (f, v, a, k) -> Builtins.test(missing).test(f, v, a, k);
    }
    Args args = Args.NONE;
    Token t = current();
    if (t.isOperator("(")) {
      args = parseCallArgs();
    } else if ((t.is(Type.NAME) || t.is(Type.STRING) || t.is(Type.INTEGER) || t.is(Type.FLOAT)
        || t.isOperator("(") || t.isOperator("[") || t.isOperator("{"))
        && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
      if (t.isName("is")) {
        throw fail("You cannot chain multiple tests with is");
      }
      Expr arg = parsePostfix(parsePrimary());
      args = new Args(List.of(arg), List.of(), List.of(), null, null);
    }
    Expr test = new Nodes.Test(line, node, name, fn, args);
    return negated ? new Nodes.Not(line, test) : test;
  }
}
