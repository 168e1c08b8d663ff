package dev.robin.engine.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over an int alphabet: per state, sorted disjoint symbol intervals with their target,
 * and (byte level) at most one call edge per rule. Immutable. Built by subset construction from an {@link Nfa};
 * character-level automata also support product constructions (intersection, difference) and trimming.
 */
final class Dfa {

  static final int MAX_CODE_POINT = 0x10FFFF;

  private final int start;
  private final boolean[] accepting;
  private final int[][] lo;
  private final int[][] hi;
  private final int[][] target;
  private final int[][] callRule;
  private final int[][] callTarget;

  private Dfa(int start, boolean[] accepting, int[][] lo, int[][] hi, int[][] target, int[][] callRule,
      int[][] callTarget) {
    this.start = start;
    this.accepting = accepting;
    this.lo = lo;
    this.hi = hi;
    this.target = target;
    this.callRule = callRule;
    this.callTarget = callTarget;
  }

  int size() {
    return accepting.length;
  }

  int start() {
    return start;
  }

  boolean accepting(int s) {
    return accepting[s];
  }

  int[] lo(int s) {
    return lo[s];
  }

  int[] hi(int s) {
    return hi[s];
  }

  int[] target(int s) {
    return target[s];
  }

  int[] callRules(int s) {
    return callRule[s];
  }

  int[] callTargets(int s) {
    return callTarget[s];
  }

  /** The state after symbol {@code c} from {@code s}, or -1. */
  int next(int s, int c) {
    int[] l = lo[s];
    int a = 0;
    int b = l.length - 1;
    while (a <= b) {
      int m = (a + b) >>> 1;
      if (c < l[m]) {
        b = m - 1;
      } else if (c > hi[s][m]) {
        a = m + 1;
      } else {
        return target[s][m];
      }
    }
    return -1;
  }

  /** Whether the automaton accepts the whole sequence of symbols. */
  boolean matches(int[] symbols) {
    int s = start;
    for (int c : symbols) {
      s = next(s, c);
      if (s < 0) {
        return false;
      }
    }
    return accepting[s];
  }

  // ---- construction ----------------------------------------------------------------------------------------

  /** The character-level automaton of a character-level expression. */
  static Dfa of(Expr e) {
    Nfa nfa = new Nfa();
    int s = nfa.newState();
    int f = nfa.newState();
    nfa.build(e, s, f, null);
    return determinize(nfa, s, f);
  }

  /** Subset construction: the states of the result are the epsilon-closed sets of NFA states reachable. */
  static Dfa determinize(Nfa nfa, int startState, int acceptState) {
    int n = nfa.size();
    int[] mark = new int[n];
    int[] stamp = {0};
    Map<Key, Integer> ids = new HashMap<>();
    List<int[]> sets = new ArrayList<>();
    List<int[]> los = new ArrayList<>();
    List<int[]> his = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    List<int[]> rules = new ArrayList<>();
    List<int[]> ruleTargets = new ArrayList<>();
    IntList seed = new IntList();
    seed.add(startState);
    int[] first = closure(nfa, seed, mark, stamp);
    ids.put(new Key(first), 0);
    sets.add(first);
    for (int d = 0; d < sets.size(); d++) {
      if (sets.size() > Nfa.MAX_STATES) {
        throw new GrammarException("grammar too large: more than " + Nfa.MAX_STATES + " automaton states");
      }
      int[] set = sets.get(d);
      // Elementary intervals: every range's start and end+1 is a boundary.
      IntList bounds = new IntList();
      int edgeCount = 0;
      for (int q : set) {
        IntList r = nfa.ranges(q);
        if (r == null) {
          continue;
        }
        for (int i = 0; i < r.size(); i += 3) {
          bounds.add(r.get(i));
          bounds.add(r.get(i + 1) + 1);
          edgeCount++;
        }
      }
      IntList outLo = new IntList();
      IntList outHi = new IntList();
      IntList outTarget = new IntList();
      if (edgeCount > 0) {
        int[] b = bounds.toArray();
        Arrays.sort(b);
        int[] uniq = unique(b);
        for (int k = 0; k + 1 < uniq.length; k++) {
          int a = uniq[k];
          int z = uniq[k + 1] - 1;
          IntList moved = new IntList();
          for (int q : set) {
            IntList r = nfa.ranges(q);
            if (r == null) {
              continue;
            }
            for (int i = 0; i < r.size(); i += 3) {
              if (r.get(i) <= a && z <= r.get(i + 1)) {
                moved.add(r.get(i + 2));
              }
            }
          }
          if (moved.isEmpty()) {
            continue;
          }
          int t = idOf(closure(nfa, moved, mark, stamp), ids, sets);
          int last = outLo.size() - 1;
          if (last >= 0 && outHi.get(last) == a - 1 && outTarget.get(last) == t) {
            outHi.set(last, z);
          } else {
            outLo.add(a);
            outHi.add(z);
            outTarget.add(t);
          }
        }
      }
      // Call edges: one target per called rule.
      Map<Integer, IntList> byRule = new java.util.TreeMap<>();
      for (int q : set) {
        IntList c = nfa.calls(q);
        if (c == null) {
          continue;
        }
        for (int i = 0; i < c.size(); i += 2) {
          byRule.computeIfAbsent(c.get(i), k -> new IntList()).add(c.get(i + 1));
        }
      }
      int[] cr = new int[byRule.size()];
      int[] ct = new int[byRule.size()];
      int i = 0;
      for (Map.Entry<Integer, IntList> e : byRule.entrySet()) {
        cr[i] = e.getKey();
        ct[i] = idOf(closure(nfa, e.getValue(), mark, stamp), ids, sets);
        i++;
      }
      los.add(outLo.toArray());
      his.add(outHi.toArray());
      targets.add(outTarget.toArray());
      rules.add(cr);
      ruleTargets.add(ct);
    }
    boolean[] acc = new boolean[sets.size()];
    for (int d = 0; d < acc.length; d++) {
      acc[d] = Arrays.binarySearch(sets.get(d), acceptState) >= 0;
    }
    return new Dfa(0, acc, los.toArray(new int[0][]), his.toArray(new int[0][]), targets.toArray(new int[0][]),
        rules.toArray(new int[0][]), ruleTargets.toArray(new int[0][]));
  }

  private static int idOf(int[] set, Map<Key, Integer> ids, List<int[]> sets) {
    Key k = new Key(set);
    Integer id = ids.get(k);
    if (id == null) {
      id = sets.size();
      ids.put(k, id);
      sets.add(set);
    }
    return id;
  }

  private static int[] closure(Nfa nfa, IntList seeds, int[] mark, int[] stamp) {
    int st = ++stamp[0];
    IntList out = new IntList();
    ArrayDeque<Integer> work = new ArrayDeque<>();
    for (int i = 0; i < seeds.size(); i++) {
      int q = seeds.get(i);
      if (mark[q] != st) {
        mark[q] = st;
        work.add(q);
      }
    }
    while (!work.isEmpty()) {
      int q = work.poll();
      out.add(q);
      IntList eps = nfa.epsilons(q);
      if (eps != null) {
        for (int i = 0; i < eps.size(); i++) {
          int r = eps.get(i);
          if (mark[r] != st) {
            mark[r] = st;
            work.add(r);
          }
        }
      }
    }
    int[] a = out.toArray();
    Arrays.sort(a);
    return a;
  }

  private static int[] unique(int[] sorted) {
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[n++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, n);
  }

  private record Key(int[] set) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(set, ((Key) o).set);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(set);
    }
  }

  // ---- character-level operations (no call edges) ---------------------------------------------------------

  /** The strings both accept. */
  Dfa intersect(Dfa other) {
    return product(other, false);
  }

  /** The strings this accepts and {@code other} does not. */
  Dfa minus(Dfa other) {
    return product(other, true);
  }

  private Dfa product(Dfa b, boolean difference) {
    Map<Long, Integer> ids = new HashMap<>();
    List<long[]> pairs = new ArrayList<>();
    List<int[]> los = new ArrayList<>();
    List<int[]> his = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    long startPair = pair(start, b.start);
    ids.put(startPair, 0);
    pairs.add(new long[] {start, b.start});
    for (int d = 0; d < pairs.size(); d++) {
      if (pairs.size() > Nfa.MAX_STATES) {
        throw new GrammarException("grammar too large: more than " + Nfa.MAX_STATES + " automaton states");
      }
      int sa = (int) pairs.get(d)[0];
      int sb = (int) pairs.get(d)[1];
      IntList oLo = new IntList();
      IntList oHi = new IntList();
      IntList oT = new IntList();
      int[] al = lo[sa];
      int[] ah = hi[sa];
      int[] at = target[sa];
      int[] bl = sb >= 0 ? b.lo[sb] : new int[0];
      int[] bh = sb >= 0 ? b.hi[sb] : new int[0];
      int[] bt = sb >= 0 ? b.target[sb] : new int[0];
      int j = 0;
      for (int i = 0; i < al.length; i++) {
        int cur = al[i];
        while (cur <= ah[i]) {
          while (j < bl.length && bh[j] < cur) {
            j++;
          }
          int segEnd;
          int tb;
          if (j < bl.length && bl[j] <= cur) { // inside b's interval j
            segEnd = Math.min(ah[i], bh[j]);
            tb = bt[j];
          } else { // in a gap of b
            segEnd = j < bl.length ? Math.min(ah[i], bl[j] - 1) : ah[i];
            tb = -1;
          }
          if (tb >= 0 || difference) {
            long p = pair(at[i], tb);
            Integer id = ids.get(p);
            if (id == null) {
              id = pairs.size();
              ids.put(p, id);
              pairs.add(new long[] {at[i], tb});
            }
            int last = oLo.size() - 1;
            if (last >= 0 && oHi.get(last) == cur - 1 && oT.get(last) == id) {
              oHi.set(last, segEnd);
            } else {
              oLo.add(cur);
              oHi.add(segEnd);
              oT.add(id);
            }
          }
          cur = segEnd + 1;
        }
      }
      los.add(oLo.toArray());
      his.add(oHi.toArray());
      targets.add(oT.toArray());
    }
    boolean[] acc = new boolean[pairs.size()];
    for (int d = 0; d < acc.length; d++) {
      int sa = (int) pairs.get(d)[0];
      int sb = (int) pairs.get(d)[1];
      boolean inB = sb >= 0 && b.accepting[sb];
      acc[d] = accepting[sa] && (difference ? !inB : inB);
    }
    int[][] none = new int[acc.length][];
    Arrays.fill(none, new int[0]);
    return new Dfa(0, acc, los.toArray(new int[0][]), his.toArray(new int[0][]), targets.toArray(new int[0][]),
        none, none).trim();
  }

  private static long pair(int a, int b) {
    return ((long) a << 32) | (b & 0xFFFFFFFFL);
  }

  /**
   * Without the states that cannot reach an accepting state (character level): every state of the result can
   * still complete, so a matcher never walks into a dead end.
   */
  Dfa trim() {
    int n = size();
    List<IntList> reverse = new ArrayList<>(n);
    for (int s = 0; s < n; s++) {
      reverse.add(new IntList());
    }
    for (int s = 0; s < n; s++) {
      for (int t : target[s]) {
        reverse.get(t).add(s);
      }
      for (int t : callTarget[s]) {
        reverse.get(t).add(s);
      }
    }
    boolean[] live = new boolean[n];
    ArrayDeque<Integer> work = new ArrayDeque<>();
    for (int s = 0; s < n; s++) {
      if (accepting[s]) {
        live[s] = true;
        work.add(s);
      }
    }
    while (!work.isEmpty()) {
      int s = work.poll();
      IntList r = reverse.get(s);
      for (int i = 0; i < r.size(); i++) {
        if (!live[r.get(i)]) {
          live[r.get(i)] = true;
          work.add(r.get(i));
        }
      }
    }
    if (!live[start]) {
      return new Dfa(0, new boolean[1], new int[][] {new int[0]}, new int[][] {new int[0]},
          new int[][] {new int[0]}, new int[][] {new int[0]}, new int[][] {new int[0]});
    }
    // Renumber the live states reachable from the start, the start first.
    int[] id = new int[n];
    Arrays.fill(id, -1);
    List<Integer> order = new ArrayList<>();
    id[start] = 0;
    order.add(start);
    for (int k = 0; k < order.size(); k++) {
      int s = order.get(k);
      for (int t : target[s]) {
        if (live[t] && id[t] < 0) {
          id[t] = order.size();
          order.add(t);
        }
      }
      for (int t : callTarget[s]) {
        if (live[t] && id[t] < 0) {
          id[t] = order.size();
          order.add(t);
        }
      }
    }
    int m = order.size();
    boolean[] acc = new boolean[m];
    int[][] nl = new int[m][];
    int[][] nh = new int[m][];
    int[][] nt = new int[m][];
    int[][] nr = new int[m][];
    int[][] nct = new int[m][];
    for (int k = 0; k < m; k++) {
      int s = order.get(k);
      acc[k] = accepting[s];
      IntList l = new IntList();
      IntList h = new IntList();
      IntList t = new IntList();
      for (int i = 0; i < lo[s].length; i++) {
        if (live[target[s][i]]) {
          l.add(lo[s][i]);
          h.add(hi[s][i]);
          t.add(id[target[s][i]]);
        }
      }
      nl[k] = l.toArray();
      nh[k] = h.toArray();
      nt[k] = t.toArray();
      IntList r = new IntList();
      IntList ct = new IntList();
      for (int i = 0; i < callRule[s].length; i++) {
        if (live[callTarget[s][i]]) {
          r.add(callRule[s][i]);
          ct.add(id[callTarget[s][i]]);
        }
      }
      nr[k] = r.toArray();
      nct[k] = ct.toArray();
    }
    return new Dfa(0, acc, nl, nh, nt, nr, nct);
  }

  /** Whether the automaton accepts nothing at all. */
  boolean acceptsNothing() {
    Dfa t = trim();
    if (t.accepting[0]) {
      return false;
    }
    return t.size() == 1 && t.lo[0].length == 0 && t.callRule[0].length == 0;
  }

  /** A copy without the call edges to rules for which {@code keep} is false, then trimmed. */
  Dfa withoutCalls(java.util.function.IntPredicate keep) {
    int n = size();
    int[][] nr = new int[n][];
    int[][] nct = new int[n][];
    for (int s = 0; s < n; s++) {
      IntList r = new IntList();
      IntList t = new IntList();
      for (int i = 0; i < callRule[s].length; i++) {
        if (keep.test(callRule[s][i])) {
          r.add(callRule[s][i]);
          t.add(callTarget[s][i]);
        }
      }
      nr[s] = r.toArray();
      nct[s] = t.toArray();
    }
    return new Dfa(start, accepting, lo, hi, target, nr, nct).trim();
  }

  /**
   * The minimal equivalent automaton (Moore's partition refinement: states stay together while they agree on
   * acceptance and, per symbol interval and called rule, on the block of their target). Gives up and returns this
   * automaton unchanged after {@code maxRounds} refinements: each round is linear, long counted chains take many.
   */
  Dfa minimize(int maxRounds) {
    int n = size();
    int[] block = new int[n];
    for (int s = 0; s < n; s++) {
      block[s] = accepting[s] ? 1 : 0;
    }
    int blocks = -1;
    for (int round = 0; round < maxRounds; round++) {
      Map<List<Integer>, Integer> ids = new HashMap<>();
      int[] next = new int[n];
      for (int s = 0; s < n; s++) {
        List<Integer> sig = new ArrayList<>();
        sig.add(block[s]);
        int lastBlock = -1;
        int lastHi = Integer.MIN_VALUE;
        for (int i = 0; i < lo[s].length; i++) {
          int b = block[target[s][i]];
          if (b == lastBlock && lo[s][i] == lastHi + 1) { // adjacent intervals into one block: one interval
            sig.set(sig.size() - 1, hi[s][i]);
          } else {
            sig.add(-1); // separator
            sig.add(lo[s][i]);
            sig.add(b);
            sig.add(hi[s][i]);
          }
          lastBlock = b;
          lastHi = hi[s][i];
        }
        for (int i = 0; i < callRule[s].length; i++) {
          sig.add(-2);
          sig.add(callRule[s][i]);
          sig.add(block[callTarget[s][i]]);
        }
        Integer id = ids.get(sig);
        if (id == null) {
          id = ids.size();
          ids.put(sig, id);
        }
        next[s] = id;
      }
      boolean stable = ids.size() == blocks;
      block = next;
      if (stable) {
        return quotient(block, blocks);
      }
      blocks = ids.size();
    }
    return this;
  }

  private Dfa quotient(int[] block, int blocks) {
    int[] rep = new int[blocks];
    Arrays.fill(rep, -1);
    for (int s = 0; s < size(); s++) {
      if (rep[block[s]] < 0) {
        rep[block[s]] = s;
      }
    }
    // Renumber so that the start's block is 0.
    int[] id = new int[blocks];
    Arrays.fill(id, -1);
    int k = 0;
    id[block[start]] = k++;
    for (int b = 0; b < blocks; b++) {
      if (id[b] < 0) {
        id[b] = k++;
      }
    }
    boolean[] acc = new boolean[blocks];
    int[][] nl = new int[blocks][];
    int[][] nh = new int[blocks][];
    int[][] nt = new int[blocks][];
    int[][] nr = new int[blocks][];
    int[][] nct = new int[blocks][];
    for (int b = 0; b < blocks; b++) {
      int s = rep[b];
      int d = id[b];
      acc[d] = accepting[s];
      IntList l = new IntList();
      IntList h = new IntList();
      IntList t = new IntList();
      for (int i = 0; i < lo[s].length; i++) {
        int tb = id[block[target[s][i]]];
        int last = l.size() - 1;
        if (last >= 0 && h.get(last) == lo[s][i] - 1 && t.get(last) == tb) {
          h.set(last, hi[s][i]);
        } else {
          l.add(lo[s][i]);
          h.add(hi[s][i]);
          t.add(tb);
        }
      }
      nl[d] = l.toArray();
      nh[d] = h.toArray();
      nt[d] = t.toArray();
      nr[d] = callRule[s].clone();
      int[] ct = new int[callTarget[s].length];
      for (int i = 0; i < ct.length; i++) {
        ct[i] = id[block[callTarget[s][i]]];
      }
      nct[d] = ct;
    }
    return new Dfa(0, acc, nl, nh, nt, nr, nct);
  }
}
