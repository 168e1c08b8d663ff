package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled grammar over bytes, independent of any vocabulary: a pushdown automaton whose rules are byte-level
 * DFAs ({@link RuleAutomaton}) with call edges. Only recursive rules (those on a cycle of references, such as a
 * JSON value inside an array inside a value, or a recursive {@code $ref}) are called; every other reference is
 * inlined, so a grammar without recursion is a single DFA. Rule 0 runs the start expression and is never
 * called. Every rule can complete (rules that cannot, and the states leading only to them, are removed). Immutable
 * and thread-safe.
 */
public final class Grammar {

  /** Refinement rounds spent minimizing a rule's DFA before keeping it as it is. */
  static final int MINIMIZE_ROUNDS = 200;

  private final List<RuleAutomaton> rules;
  private final String description;

  private Grammar(List<RuleAutomaton> rules, String description) {
    this.rules = List.copyOf(rules);
    this.description = description;
  }

  /** A JSON document valid against the JSON Schema {@code schemaJson} (see {@link JsonSchemaGrammar}). */
  public static Grammar jsonSchema(String schemaJson) {
    return JsonSchemaGrammar.compile(schemaJson);
  }

  /** Any JSON object (OpenAI's {@code response_format: {"type": "json_object"}}). */
  public static Grammar jsonObject() {
    return JsonSchemaGrammar.anyObject();
  }

  /** A text the regular expression matches as a whole (see {@link Regex} for the supported syntax). */
  public static Grammar regex(String regex) {
    Dfa dfa = Regex.compile(regex).trim();
    if (dfa.acceptsNothing()) {
      throw new GrammarException("regular expression /" + regex + "/ matches nothing");
    }
    return compile(Map.of(), new Expr.Chars(dfa, CharEncoding.UTF8), "regex");
  }

  /** Exactly one of the given strings. */
  public static Grammar choice(List<String> choices) {
    if (choices.isEmpty()) {
      throw new GrammarException("a choice needs at least one string");
    }
    List<Expr> alts = new ArrayList<>();
    for (String c : choices) {
      alts.add(Expr.literal(c));
    }
    return compile(Map.of(), Expr.alt(alts), "choice");
  }

  /** Number of rules (1 + the recursive ones). */
  public int ruleCount() {
    return rules.size();
  }

  /** Total number of DFA states over all rules. */
  public int stateCount() {
    int n = 0;
    for (RuleAutomaton r : rules) {
      n += r.size();
    }
    return n;
  }

  /** What the grammar was compiled from, for logs. */
  public String description() {
    return description;
  }

  RuleAutomaton rule(int i) {
    return rules.get(i);
  }

  /** Whether the whole byte string is a complete document of this grammar (no vocabulary involved). */
  public boolean matches(byte[] bytes) {
    Pda.Config c = Pda.initial();
    for (byte b : bytes) {
      c = Pda.step(this, c, b & 0xFF);
      if (c == null) {
        return false;
      }
    }
    return Pda.closure(this, c).canEnd();
  }

  @Override
  public String toString() {
    return "Grammar[" + description + ", " + ruleCount() + " rules, " + stateCount() + " states]";
  }

  // ---- compilation -----------------------------------------------------------------------------------------

  /**
   * Compiles named rules and a start expression (which may refer to them by {@link Expr.Ref}).
   *
   * @throws GrammarException if the grammar matches nothing or is too large
   */
  static Grammar compile(Map<String, Expr> named, Expr startExpr, String description) {
    // Which rules are recursive: on a cycle of references (Tarjan's strongly connected components).
    Map<String, Set<String>> refs = new HashMap<>();
    for (Map.Entry<String, Expr> e : named.entrySet()) {
      Set<String> out = new HashSet<>();
      collectRefs(e.getValue(), out);
      refs.put(e.getKey(), out);
    }
    Set<String> recursive = new Tarjan(refs).recursive();
    Set<String> startRefs = new HashSet<>();
    collectRefs(startExpr, startRefs);
    // The called rules, reachable from the start: numbered 1.., rule 0 being the start.
    Map<String, Integer> index = new LinkedHashMap<>();
    List<String> work = new ArrayList<>(startRefs);
    Set<String> seen = new HashSet<>(startRefs);
    while (!work.isEmpty()) {
      String r = work.remove(work.size() - 1);
      if (!named.containsKey(r)) {
        throw new IllegalStateException("undefined rule " + r);
      }
      if (recursive.contains(r) && !index.containsKey(r)) {
        index.put(r, index.size() + 1);
      }
      for (String t : refs.get(r)) {
        if (seen.add(t)) {
          work.add(t);
        }
      }
    }
    List<String> names = new ArrayList<>();
    names.add("<start>");
    names.addAll(index.keySet());
    List<Expr> bodies = new ArrayList<>();
    bodies.add(startExpr);
    for (String n : index.keySet()) {
      bodies.add(named.get(n));
    }
    Nfa.RefHandler handler = new Nfa.RefHandler() {
      @Override
      public void ref(Nfa nfa, String rule, int from, int to) {
        Integer i = index.get(rule);
        if (i != null) {
          nfa.call(from, i, to);
        } else {
          nfa.build(named.get(rule), from, to, this);
        }
      }
    };
    Dfa[] dfas = new Dfa[bodies.size()];
    for (int i = 0; i < dfas.length; i++) {
      Nfa nfa = new Nfa();
      int s = nfa.newState();
      int f = nfa.newState();
      nfa.build(bodies.get(i), s, f, handler);
      dfas[i] = Dfa.determinize(nfa, s, f);
    }
    // Productive rules: those that can complete, calling only productive rules. Calls to others are dropped.
    boolean[] productive = new boolean[dfas.length];
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < dfas.length; i++) {
        if (!productive[i] && !dfas[i].withoutCalls(r -> productive[r]).acceptsNothing()) {
          productive[i] = true;
          changed = true;
        }
      }
    }
    if (!productive[0]) {
      throw new GrammarException(description + " matches nothing: the constraint cannot be satisfied");
    }
    List<RuleAutomaton> automata = new ArrayList<>();
    for (int i = 0; i < dfas.length; i++) {
      Dfa d = productive[i] ? dfas[i].withoutCalls(r -> productive[r]).minimize(MINIMIZE_ROUNDS) : dfas[i];
      automata.add(new RuleAutomaton(names.get(i), d));
    }
    return new Grammar(automata, description);
  }

  private static void collectRefs(Expr e, Set<String> out) {
    if (e instanceof Expr.Ref) {
      out.add(((Expr.Ref) e).rule());
    } else if (e instanceof Expr.Seq) {
      for (Expr p : ((Expr.Seq) e).parts()) {
        collectRefs(p, out);
      }
    } else if (e instanceof Expr.Alt) {
      for (Expr p : ((Expr.Alt) e).alternatives()) {
        collectRefs(p, out);
      }
    } else if (e instanceof Expr.Repeat) {
      collectRefs(((Expr.Repeat) e).body(), out);
    } else if (e instanceof Expr.OrderedList) {
      Expr.OrderedList l = (Expr.OrderedList) e;
      for (Expr p : l.items()) {
        collectRefs(p, out);
      }
      collectRefs(l.separator(), out);
      if (l.repeated() != null) {
        collectRefs(l.repeated(), out);
      }
    }
  }

  /** Tarjan's algorithm: the rules on a cycle (a component of more than one rule, or a rule referring to itself). */
  private static final class Tarjan {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> indexOf = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final List<String> stack = new ArrayList<>();
    private final Set<String> onStack = new HashSet<>();
    private final Set<String> recursive = new HashSet<>();

    Tarjan(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    Set<String> recursive() {
      for (String v : graph.keySet()) {
        if (!indexOf.containsKey(v)) {
          visit(v);
        }
      }
      return recursive;
    }

    private void visit(String v) {
      indexOf.put(v, indexOf.size());
      low.put(v, indexOf.get(v));
      stack.add(v);
      onStack.add(v);
      for (String w : graph.getOrDefault(v, Set.of())) {
        if (!indexOf.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), indexOf.get(w)));
        }
      }
      if (low.get(v).equals(indexOf.get(v))) {
        List<String> component = new ArrayList<>();
        String w;
        do {
          w = stack.remove(stack.size() - 1);
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        if (component.size() > 1 || graph.getOrDefault(v, Set.of()).contains(v)) {
          recursive.addAll(component);
        }
      }
    }
  }
}
