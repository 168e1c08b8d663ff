package dev.robin.engine.grammar;

import dev.robin.engine.grammar.Pda.Closed;
import dev.robin.engine.grammar.Pda.Config;
import dev.robin.engine.grammar.Pda.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-state token masks of one grammar over one vocabulary, computed on first use and kept (xgrammar's
 * adaptive token mask cache, in spirit). A mask is cached per <em>key</em>: the top one or two frames of a stack.
 * Relative to its key, each token is
 * <ul>
 *   <li><b>accepted</b>: its bytes can all be read without completing the key's bottom frame; so the token is
 *       allowed whatever lies below,
 *   <li><b>rejected</b>: no path reads it, and none completes the bottom frame midway,
 *   <li><b>dependent</b>: some path completes the bottom frame after {@code k} of its bytes (and none reads it
 *       whole): whether the rest fits depends on the frames below, checked per step for the few such tokens.
 * </ul>
 * A key whose frames reach the bottom of the stack has no dependent tokens: a grammar without recursion is one
 * rule, so its masks are entirely cached. Thread-safe.
 */
final class TokenMasks {

  /** Below this many accepted tokens a mask is kept as a list of ids rather than a bitset. */
  private static final int SPARSE_LIMIT = 512;

  private final Grammar grammar;
  private final TokenVocabularyBytes vocab;
  private final TokenTrie trie;
  private final int words;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BitsKey, long[]> interned = new ConcurrentHashMap<>();
  private final AtomicLong computeNanos = new AtomicLong();

  TokenMasks(Grammar grammar, TokenVocabularyBytes vocab, TokenTrie trie) {
    this.grammar = grammar;
    this.vocab = vocab;
    this.trie = trie;
    this.words = vocab.maskWords();
  }

  /** Key of a stack: its top frame, and the one below if any; {@code end}: nothing lies below those. */
  record Key(int rule0, int state0, int rule1, int state1, boolean end) {}

  /** The cached classification of the tokens for one key. */
  static final class Entry {
    final long[] bits; // accepted tokens as a bitset, or null
    final int[] sparse; // accepted token ids, when few
    final int[] dependent; // token ids
    final int[][] popOffsets; // per dependent token: the byte offsets where the key's bottom frame completes
    final int frames; // how many frames the key covers

    Entry(long[] bits, int[] sparse, int[] dependent, int[][] popOffsets, int frames) {
      this.bits = bits;
      this.sparse = sparse;
      this.dependent = dependent;
      this.popOffsets = popOffsets;
      this.frames = frames;
    }

    int acceptedCount() {
      if (bits == null) {
        return sparse.length;
      }
      int n = 0;
      for (long w : bits) {
        n += Long.bitCount(w);
      }
      return n;
    }
  }

  static Key keyOf(Frame top) {
    Frame p = top.parent;
    if (p == null) {
      return new Key(top.rule, top.state, -1, -1, true);
    }
    return new Key(top.rule, top.state, p.rule, p.state, p.parent == null);
  }

  /**
   * Stacks this deep are masked by an uncached walk over the real stack: cached keys count frames from their own
   * bottom, so near {@link Pda#MAX_DEPTH} they could allow a call the real stack may not make.
   */
  static final int UNCACHED_DEPTH = Pda.MAX_DEPTH - 40;

  Entry entry(Frame top) {
    if (top.depth > UNCACHED_DEPTH) {
      Walk w = new Walk();
      w.run(top);
      return w.finish(0);
    }
    Key key = keyOf(top);
    Entry e = entries.get(key);
    if (e == null) {
      e = entries.computeIfAbsent(key, this::compute);
    }
    return e;
  }

  int entryCount() {
    return entries.size();
  }

  long computeNanos() {
    return computeNanos.get();
  }

  /** Bytes held by the cached masks (bitsets shared between equal masks counted once). */
  long memoryBytes() {
    long n = 0;
    for (long[] b : interned.values()) {
      n += 16 + 8L * b.length;
    }
    for (Entry e : entries.values()) {
      n += 64;
      if (e.sparse != null) {
        n += 4L * e.sparse.length;
      }
      n += 4L * e.dependent.length;
      for (int[] o : e.popOffsets) {
        n += 16 + 4L * o.length;
      }
    }
    return n;
  }

  // ---- computing an entry: one walk of the token trie -----------------------------------------------------

  private Entry compute(Key key) {
    long t0 = System.nanoTime();
    Frame bottom = key.end() ? null : Pda.SENTINEL;
    Frame top;
    int frames;
    if (key.rule1() < 0) {
      top = new Frame(key.rule0(), key.state0(), bottom);
      frames = 1;
    } else {
      top = new Frame(key.rule0(), key.state0(), new Frame(key.rule1(), key.state1(), bottom));
      frames = 2;
    }
    Walk w = new Walk();
    w.run(top);
    Entry e = w.finish(frames);
    computeNanos.addAndGet(System.nanoTime() - t0);
    return e;
  }

  private final class Walk {
    final long[] accepted = new long[words];
    final IntList dependent = new IntList();
    final List<int[]> offsets = new ArrayList<>();
    // Explicit stack for the fast walk.
    int[] nodeStack = new int[64];
    int[] stateStack = new int[64];

    void run(Frame top) {
      RuleAutomaton r = grammar.rule(top.rule);
      Frame parent = top.parent;
      // The first byte is read by the top frame itself: completing it or calling from it before any byte is the
      // business of the other stacks of the closed configuration, which have their own entries.
      for (int c = trie.childStart[0]; c < trie.childEnd[0]; c++) {
        int ns = r.next(top.state, trie.label[c]);
        if (ns < 0) {
          continue;
        }
        if (fast(r, ns, parent)) {
          fastWalk(c, top.rule, r, ns, parent);
        } else {
          generic(c, new Config(new Frame[] {new Frame(top.rule, ns, parent)}), new int[0]);
        }
      }
    }

    /** Within a rule state that neither calls nor completes into unknown frames: a plain DFA walk. */
    private boolean fast(RuleAutomaton r, int s, Frame parent) {
      return !r.hasCalls(s) && (!r.accepting[s] || parent == null);
    }

    private void fastWalk(int node0, int rule, RuleAutomaton r, int s0, Frame parent) {
      final int[] packed = trie.packed;
      final int[] label = trie.label;
      final int[] order = trie.order;
      final long[] acc = accepted;
      int sp = 0;
      nodeStack[sp] = node0;
      stateStack[sp] = s0;
      sp++;
      while (sp > 0) {
        sp--;
        int node = nodeStack[sp];
        int s = stateStack[sp];
        int base = node << 2;
        for (int i = packed[base + 2], own = packed[base + 3]; i < own; i++) {
          int id = order[i];
          acc[id >>> 6] |= 1L << id;
        }
        int end = packed[base + 1];
        if (sp + end - packed[base] > nodeStack.length) {
          nodeStack = Arrays.copyOf(nodeStack, (sp + end - packed[base]) * 2);
          stateStack = Arrays.copyOf(stateStack, nodeStack.length);
        }
        for (int c = packed[base]; c < end; c++) {
          int ns = r.next(s, label[c]);
          if (ns < 0) {
            continue;
          }
          if (fast(r, ns, parent)) {
            nodeStack[sp] = c;
            stateStack[sp] = ns;
            sp++;
          } else {
            generic(c, new Config(new Frame[] {new Frame(rule, ns, parent)}), new int[0]);
          }
        }
      }
    }

    /** The general walk: sets of stacks, completions into the sentinel recorded as pop offsets. */
    private void generic(int node, Config config, int[] pops) {
      acceptOwn(node);
      if (trie.childStart[node] == trie.childEnd[node]) {
        return;
      }
      Closed closed = Pda.closure(grammar, config);
      int[] p = pops;
      if (closed.popped()) {
        p = Arrays.copyOf(pops, pops.length + 1);
        p[pops.length] = trie.depth[node];
      }
      for (int c = trie.childStart[node]; c < trie.childEnd[node]; c++) {
        Config next = closed.tops().length == 0 ? null : Pda.step(grammar, closed, trie.label[c]);
        if (next != null) {
          generic(c, next, p);
        } else if (p.length > 0) {
          for (int i = trie.tokLo[c]; i < trie.tokHi[c]; i++) {
            dependent.add(trie.order[i]);
            offsets.add(p);
          }
        }
      }
    }

    private void acceptOwn(int node) {
      for (int i = trie.tokLo[node]; i < trie.ownHi[node]; i++) {
        int id = trie.order[i];
        accepted[id >>> 6] |= 1L << id;
      }
    }

    Entry finish(int frames) {
      // A token both accepted (some path reads it whole) and dependent is accepted.
      IntList dep = new IntList();
      List<int[]> off = new ArrayList<>();
      for (int i = 0; i < dependent.size(); i++) {
        int id = dependent.get(i);
        if ((accepted[id >>> 6] & (1L << id)) == 0) {
          dep.add(id);
          off.add(offsets.get(i));
        }
      }
      int count = 0;
      for (long w : accepted) {
        count += Long.bitCount(w);
      }
      long[] bits = null;
      int[] sparse = null;
      if (count <= SPARSE_LIMIT) {
        sparse = new int[count];
        int k = 0;
        for (int wi = 0; wi < accepted.length; wi++) {
          long w = accepted[wi];
          while (w != 0) {
            sparse[k++] = (wi << 6) + Long.numberOfTrailingZeros(w);
            w &= w - 1;
          }
        }
      } else {
        bits = interned.computeIfAbsent(new BitsKey(accepted), k -> k.bits);
      }
      return new Entry(bits, sparse, dep.toArray(), off.toArray(new int[0][]), frames);
    }
  }

  private record BitsKey(long[] bits) {
    @Override
    public boolean equals(Object o) {
      return o instanceof BitsKey && Arrays.equals(bits, ((BitsKey) o).bits);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bits);
    }
  }

  // ---- using entries ---------------------------------------------------------------------------------------

  /**
   * Sets in {@code mask} the tokens allowed after the closed configuration (stop ids excluded). Returns how many
   * dependent tokens had to be checked against the full stack.
   */
  int fill(Closed closed, long[] mask) {
    Frame[] tops = closed.tops();
    int checked = 0;
    if (tops.length == 0) {
      Arrays.fill(mask, 0, words, 0L);
      return 0;
    }
    Entry first = entry(tops[0]);
    if (first.bits != null) {
      System.arraycopy(first.bits, 0, mask, 0, words);
    } else {
      Arrays.fill(mask, 0, words, 0L);
      orSparse(first, mask);
    }
    checked += resolveDependent(tops[0], first, mask);
    for (int t = 1; t < tops.length; t++) {
      Entry e = entry(tops[t]);
      if (e.bits != null) {
        long[] b = e.bits;
        for (int i = 0; i < words; i++) {
          mask[i] |= b[i];
        }
      } else {
        orSparse(e, mask);
      }
      checked += resolveDependent(tops[t], e, mask);
    }
    return checked;
  }

  private static void orSparse(Entry e, long[] mask) {
    for (int id : e.sparse) {
      mask[id >>> 6] |= 1L << id;
    }
  }

  private int resolveDependent(Frame top, Entry e, long[] mask) {
    if (e.dependent.length == 0) {
      return 0;
    }
    Frame rest = e.frames == 1 ? top.parent : top.parent.parent; // (frames 0: an exact walk, nothing dependent)
    Config below = new Config(new Frame[] {rest});
    int checked = 0;
    for (int i = 0; i < e.dependent.length; i++) {
      int id = e.dependent[i];
      if ((mask[id >>> 6] & (1L << id)) != 0) {
        continue;
      }
      checked++;
      byte[] bytes = vocab.bytesOf(id);
      for (int offset : e.popOffsets[i]) {
        if (Pda.run(grammar, below, bytes, offset) != null) {
          mask[id >>> 6] |= 1L << id;
          break;
        }
      }
    }
    return checked;
  }
}
