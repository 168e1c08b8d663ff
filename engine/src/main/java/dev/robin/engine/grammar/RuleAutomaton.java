package dev.robin.engine.grammar;

import java.util.Arrays;

/**
 * One rule of a compiled grammar as a byte-level DFA with a dense transition table over byte classes (bytes no
 * edge of the rule tells apart share a class), plus call edges: in state {@code s}, the rule may run rule
 * {@code callRules(s)[i]} and continue in {@code callReturns(s)[i]}. Immutable.
 */
final class RuleAutomaton {

  final String name;
  final int start;
  final boolean[] accepting;
  final boolean[] hasBytes;
  final int classes;
  private final byte[] classOf;
  private final int[] next;
  final int[][] callRules;
  final int[][] callReturns;

  RuleAutomaton(String name, Dfa dfa) {
    this.name = name;
    int n = dfa.size();
    this.start = dfa.start();
    // Byte classes: boundaries at every interval start and end+1.
    boolean[] boundary = new boolean[257];
    boundary[0] = true;
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < dfa.lo(s).length; i++) {
        boundary[dfa.lo(s)[i]] = true;
        boundary[dfa.hi(s)[i] + 1] = true;
      }
    }
    classOf = new byte[256];
    int c = -1;
    for (int b = 0; b < 256; b++) {
      if (boundary[b]) {
        c++;
      }
      classOf[b] = (byte) c;
    }
    classes = c + 1;
    next = new int[n * classes];
    Arrays.fill(next, -1);
    accepting = new boolean[n];
    hasBytes = new boolean[n];
    callRules = new int[n][];
    callReturns = new int[n][];
    for (int s = 0; s < n; s++) {
      accepting[s] = dfa.accepting(s);
      int[] lo = dfa.lo(s);
      int[] hi = dfa.hi(s);
      int[] t = dfa.target(s);
      hasBytes[s] = lo.length > 0;
      for (int i = 0; i < lo.length; i++) {
        for (int b = lo[i]; b <= hi[i]; b++) {
          next[s * classes + (classOf[b] & 0xFF)] = t[i];
        }
      }
      callRules[s] = dfa.callRules(s);
      callReturns[s] = dfa.callTargets(s);
    }
  }

  int size() {
    return accepting.length;
  }

  /** The state after byte {@code b} (0..255) from {@code s}, or -1. */
  int next(int s, int b) {
    return next[s * classes + (classOf[b] & 0xFF)];
  }

  boolean hasCalls(int s) {
    return callRules[s].length > 0;
  }
}
