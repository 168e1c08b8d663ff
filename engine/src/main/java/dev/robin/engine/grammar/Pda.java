package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a {@link Grammar}'s pushdown automaton over bytes. A configuration is a set of stacks (the grammar may be
 * ambiguous, e.g. {@code anyOf} branches that start alike); a stack is a persistent linked list of {@link Frame}s,
 * so stacks share their bottoms and a step allocates only what changes.
 */
final class Pda {

  /** Deepest nesting of rule calls generated (JSON nesting deeper than this is never produced). */
  static final int MAX_DEPTH = 64;

  /** Stands below the frames of a mask-cache key: what lies further down is not known when the mask is cached. */
  static final Frame SENTINEL = new Frame(-1, -1, null);

  private Pda() {}

  /** A stack: run {@code rule} on from {@code state}; when it completes, continue with {@code parent}. */
  static final class Frame {
    final int rule;
    final int state;
    /** What runs when this rule completes: null at the bottom (the document may end), or {@link #SENTINEL}. */
    final Frame parent;
    final int depth;
    private final int hash;

    Frame(int rule, int state, Frame parent) {
      this.rule = rule;
      this.state = state;
      this.parent = parent;
      this.depth = parent == null || parent.rule < 0 ? 1 : parent.depth + 1;
      this.hash = 31 * (31 * rule + state) + (parent == null ? 0 : parent.hash);
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof Frame)) {
        return false;
      }
      Frame f = (Frame) o;
      if (hash != f.hash || rule != f.rule || state != f.state) {
        return false;
      }
      if (parent == null || f.parent == null) {
        return parent == f.parent;
      }
      return parent.equals(f.parent);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return rule + ":" + state + (parent == null ? "" : parent == SENTINEL ? " | ?" : " | " + parent);
    }
  }

  /** The stacks reached after some bytes, before completing or calling rules. Never empty. */
  static final class Config {
    final Frame[] frames;

    Config(Frame[] frames) {
      this.frames = frames;
    }
  }

  /**
   * A configuration with every completion and call taken: the stacks whose top can read a byte, whether the
   * document may end here, and whether a rule completed into the {@link #SENTINEL}.
   */
  record Closed(Frame[] tops, boolean canEnd, boolean popped) {}

  static Config initial() {
    return new Config(new Frame[] {new Frame(0, 0, null)});
  }

  static Closed closure(Grammar g, Config c) {
    Frame[] frames = c.frames;
    if (frames.length == 1) { // the common case: one stack, nothing to complete or call
      Frame f = frames[0];
      RuleAutomaton r = g.rule(f.rule);
      if (!r.hasCalls(f.state) && (!r.accepting[f.state] || f.parent == null)) {
        return new Closed(r.hasBytes[f.state] ? frames : new Frame[0], r.accepting[f.state], false);
      }
    }
    Set<Frame> seen = new HashSet<>();
    List<Frame> work = new ArrayList<>();
    List<Frame> tops = new ArrayList<>();
    boolean canEnd = false;
    boolean popped = false;
    for (Frame f : frames) {
      work.add(f);
    }
    for (int i = 0; i < work.size(); i++) {
      Frame f = work.get(i);
      if (!seen.add(f)) {
        continue;
      }
      RuleAutomaton r = g.rule(f.rule);
      if (r.hasBytes[f.state]) {
        tops.add(f);
      }
      if (r.accepting[f.state]) {
        if (f.parent == null) {
          canEnd = true;
        } else if (f.parent == SENTINEL) {
          popped = true;
        } else {
          work.add(f.parent);
        }
      }
      int[] calls = r.callRules[f.state];
      if (calls.length > 0 && f.depth < MAX_DEPTH) {
        int[] returns = r.callReturns[f.state];
        for (int k = 0; k < calls.length; k++) {
          Frame ret = new Frame(f.rule, returns[k], f.parent);
          work.add(new Frame(calls[k], g.rule(calls[k]).start, ret));
        }
      }
    }
    return new Closed(tops.toArray(new Frame[0]), canEnd, popped);
  }

  /** The configuration after byte {@code b}, or null if no stack can read it. */
  static Config step(Grammar g, Closed c, int b) {
    Frame[] tops = c.tops();
    if (tops.length == 1) {
      Frame f = tops[0];
      int ns = g.rule(f.rule).next(f.state, b);
      return ns < 0 ? null : new Config(new Frame[] {new Frame(f.rule, ns, f.parent)});
    }
    List<Frame> out = new ArrayList<>(tops.length);
    Set<Frame> seen = tops.length > 1 ? new HashSet<>() : null;
    for (Frame f : tops) {
      int ns = g.rule(f.rule).next(f.state, b);
      if (ns >= 0) {
        Frame nf = new Frame(f.rule, ns, f.parent);
        if (seen.add(nf)) {
          out.add(nf);
        }
      }
    }
    return out.isEmpty() ? null : new Config(out.toArray(new Frame[0]));
  }

  static Config step(Grammar g, Config c, int b) {
    return step(g, closure(g, c), b);
  }

  /** The configuration after all of {@code bytes[from..]}, starting from {@code c}, or null. */
  static Config run(Grammar g, Config c, byte[] bytes, int from) {
    for (int i = from; i < bytes.length && c != null; i++) {
      c = step(g, c, bytes[i] & 0xFF);
    }
    return c;
  }
}
