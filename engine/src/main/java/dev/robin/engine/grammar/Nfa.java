package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A nondeterministic automaton under construction (Thompson's construction): edges labelled with a symbol range,
 * epsilon edges, and (byte level) call edges that run another rule of the grammar, then continue.
 */
final class Nfa {

  /** Beyond this many states a grammar is refused as too large (schemas with huge counted repetitions). */
  static final int MAX_STATES = 1_000_000;

  private final List<IntList> epsilons = new ArrayList<>();
  private final List<IntList> ranges = new ArrayList<>(); // lo, hi, target triples
  private final List<IntList> calls = new ArrayList<>(); // rule, target pairs

  int newState() {
    if (epsilons.size() >= MAX_STATES) {
      throw new GrammarException("grammar too large: more than " + MAX_STATES + " automaton states"
          + " (large counted repetitions such as maxLength, maxItems or {m,n} multiply the automaton)");
    }
    epsilons.add(null);
    ranges.add(null);
    calls.add(null);
    return epsilons.size() - 1;
  }

  int size() {
    return epsilons.size();
  }

  void epsilon(int from, int to) {
    list(epsilons, from).add(to);
  }

  void range(int from, int lo, int hi, int to) {
    IntList l = list(ranges, from);
    l.add(lo);
    l.add(hi);
    l.add(to);
  }

  void call(int from, int rule, int to) {
    IntList l = list(calls, from);
    l.add(rule);
    l.add(to);
  }

  IntList epsilons(int state) {
    return epsilons.get(state);
  }

  IntList ranges(int state) {
    return ranges.get(state);
  }

  IntList calls(int state) {
    return calls.get(state);
  }

  private static IntList list(List<IntList> lists, int state) {
    IntList l = lists.get(state);
    if (l == null) {
      l = new IntList(4);
      lists.set(state, l);
    }
    return l;
  }

  /** Resolves a rule reference while building: inline its body, or add a call edge. */
  interface RefHandler {
    void ref(Nfa nfa, String rule, int from, int to);
  }

  /**
   * Adds {@code e} between {@code from} and {@code to}. Invariant of every fragment: it adds edges out of
   * {@code from} and into {@code to} only, never into {@code from} or out of {@code to}, so fragments can
   * share their ends.
   */
  void build(Expr e, int from, int to, RefHandler refs) {
    if (e instanceof Expr.Range) {
      Expr.Range r = (Expr.Range) e;
      range(from, r.lo(), r.hi(), to);
    } else if (e instanceof Expr.Seq) {
      List<Expr> parts = ((Expr.Seq) e).parts();
      if (parts.isEmpty()) {
        epsilon(from, to);
        return;
      }
      int cur = from;
      for (int i = 0; i < parts.size(); i++) {
        int next = i == parts.size() - 1 ? to : newState();
        build(parts.get(i), cur, next, refs);
        cur = next;
      }
    } else if (e instanceof Expr.Alt) {
      for (Expr a : ((Expr.Alt) e).alternatives()) {
        build(a, from, to, refs);
      }
    } else if (e instanceof Expr.Repeat) {
      Expr.Repeat r = (Expr.Repeat) e;
      int cur = from;
      for (int i = 0; i < r.min(); i++) {
        int next = newState();
        build(r.body(), cur, next, refs);
        cur = next;
      }
      if (r.max() < 0) {
        int loop = newState();
        int back = newState();
        epsilon(cur, loop);
        build(r.body(), loop, back, refs);
        epsilon(back, loop);
        epsilon(loop, to);
      } else {
        for (int i = r.min(); i < r.max(); i++) {
          int next = newState();
          epsilon(cur, to);
          build(r.body(), cur, next, refs);
          cur = next;
        }
        epsilon(cur, to);
      }
    } else if (e instanceof Expr.Ref) {
      if (refs == null) {
        throw new IllegalStateException("rule reference in a character-level expression: " + e);
      }
      refs.ref(this, ((Expr.Ref) e).rule(), from, to);
    } else if (e instanceof Expr.OrderedList) {
      buildOrderedList((Expr.OrderedList) e, from, to, refs);
    } else if (e instanceof Expr.Chars) {
      Expr.Chars c = (Expr.Chars) e;
      Dfa dfa = c.dfa();
      int[] map = new int[dfa.size()];
      for (int s = 0; s < map.length; s++) {
        map[s] = newState();
      }
      epsilon(from, map[dfa.start()]);
      for (int s = 0; s < map.length; s++) {
        if (dfa.accepting(s)) {
          epsilon(map[s], to);
        }
        int[] lo = dfa.lo(s);
        int[] hi = dfa.hi(s);
        int[] target = dfa.target(s);
        for (int i = 0; i < lo.length; i++) {
          c.encoding().emit(this, map[s], lo[i], hi[i], map[target[i]]);
        }
      }
    } else {
      throw new IllegalArgumentException("unknown expression " + e);
    }
  }

  /**
   * {@code none[i]}: before item i, nothing written yet; {@code some[i]}: before item i, something written (so a
   * separator comes first). Each item is built once, from a state both reach.
   */
  private void buildOrderedList(Expr.OrderedList list, int from, int to, RefHandler refs) {
    int n = list.items().size();
    int none = from;
    int some = newState();
    for (int i = 0; i < n; i++) {
      int item = newState();
      int nextNone = newState();
      int nextSome = newState();
      epsilon(none, item);
      build(list.separator(), some, item, refs);
      build(list.items().get(i), item, nextSome, refs);
      if (!list.required().get(i)) {
        epsilon(none, nextNone);
        epsilon(some, nextSome);
      }
      none = nextNone;
      some = nextSome;
    }
    if (list.repeated() != null) {
      int item = newState();
      int after = newState();
      epsilon(none, item);
      build(list.separator(), some, item, refs);
      build(list.repeated(), item, after, refs);
      epsilon(after, some);
    }
    epsilon(none, to);
    epsilon(some, to);
  }
}
