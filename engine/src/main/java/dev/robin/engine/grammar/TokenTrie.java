package dev.robin.engine.grammar;

import java.util.Arrays;

/**
 * The vocabulary's byte strings as a trie, for walking every token against an automaton state at once: tokens
 * sharing a prefix share its steps, and a prefix the grammar refuses prunes all tokens below it. Nodes are
 * numbered so that a node's children are contiguous; the token ids are in byte order, so the tokens at or below a
 * node form one contiguous run of {@link #order}. Immutable.
 */
final class TokenTrie {

  /** Token ids in byte (unsigned lexicographic) order. */
  final int[] order;
  /**
   * The fields a walk reads for every node, side by side for locality: {@code packed[4n]} first child,
   * {@code [4n+1]} end of the children, {@code [4n+2]} start of its tokens in {@link #order}, {@code [4n+3]} end
   * of the tokens ending exactly at it.
   */
  int[] packed;
  final int[] childStart;
  final int[] childEnd;
  final int[] label;
  final int[] depth;
  /** Tokens ending at a node: {@code order[tokLo..ownHi)}; at or below it: {@code order[tokLo..tokHi)}. */
  final int[] tokLo;
  final int[] ownHi;
  final int[] tokHi;
  private int nodes;

  TokenTrie(TokenVocabularyBytes vocab) {
    int n = 0;
    long totalBytes = 0;
    for (int id = 0; id < vocab.size(); id++) {
      if (vocab.bytesOf(id) != null) {
        n++;
        totalBytes += vocab.bytesOf(id).length;
      }
    }
    Integer[] ids = new Integer[n];
    int k = 0;
    for (int id = 0; id < vocab.size(); id++) {
      if (vocab.bytesOf(id) != null) {
        ids[k++] = id;
      }
    }
    Arrays.sort(ids, (a, b) -> {
      int c = Arrays.compareUnsigned(vocab.bytesOf(a), vocab.bytesOf(b));
      return c != 0 ? c : Integer.compare(a, b);
    });
    order = new int[n];
    byte[][] sorted = new byte[n][];
    for (int i = 0; i < n; i++) {
      order[i] = ids[i];
      sorted[i] = vocab.bytesOf(ids[i]);
    }
    int cap = (int) Math.min(Integer.MAX_VALUE - 8, totalBytes + 1);
    childStart = new int[cap];
    childEnd = new int[cap];
    label = new int[cap];
    depth = new int[cap];
    tokLo = new int[cap];
    ownHi = new int[cap];
    tokHi = new int[cap];
    nodes = 1;
    build(0, 0, 0, n, sorted);
    packed = new int[4 * nodes];
    for (int i = 0; i < nodes; i++) {
      packed[4 * i] = childStart[i];
      packed[4 * i + 1] = childEnd[i];
      packed[4 * i + 2] = tokLo[i];
      packed[4 * i + 3] = ownHi[i];
    }
  }

  /** A node being built: its children are allocated, {@code next} is the first not yet built. */
  private static final class Frame {
    final int first;
    final int groups;
    final int[] groupLo;
    final int hi;
    final int depth;
    int next;

    Frame(int first, int groups, int[] groupLo, int hi, int depth) {
      this.first = first;
      this.groups = groups;
      this.groupLo = groupLo;
      this.hi = hi;
      this.depth = depth;
    }
  }

  /**
   * Builds depth first, in the order a recursion would, with an explicit stack: a token's length bounds the
   * depth, and a tokenizer may hold tokens of thousands of bytes.
   */
  private void build(int root, int rootDepth, int rootLo, int rootHi, byte[][] sorted) {
    java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
    stack.push(open(root, rootDepth, rootLo, rootHi, sorted));
    while (!stack.isEmpty()) {
      Frame top = stack.peek();
      if (top.next == top.groups) {
        stack.pop();
        continue;
      }
      int g = top.next++;
      int gHi = g + 1 < top.groups ? top.groupLo[g + 1] : top.hi;
      stack.push(open(top.first + g, top.depth + 1, top.groupLo[g], gHi, sorted));
    }
  }

  /** Fills in {@code node} (tokens lo..hi, all sharing its first d bytes) and allocates its children. */
  private Frame open(int node, int d, int lo, int hi, byte[][] sorted) {
    depth[node] = d;
    tokLo[node] = lo;
    tokHi[node] = hi;
    int i = lo;
    while (i < hi && sorted[i].length == d) {
      i++;
    }
    ownHi[node] = i;
    // Group the rest by their byte at depth d.
    int first = nodes;
    int j = i;
    int[] groupLo = new int[Math.max(0, hi - i)];
    int groups = 0;
    while (j < hi) {
      int b = sorted[j][d] & 0xFF;
      groupLo[groups++] = j;
      label[nodes++] = b;
      while (j < hi && (sorted[j][d] & 0xFF) == b) {
        j++;
      }
    }
    childStart[node] = first;
    childEnd[node] = first + groups;
    return new Frame(first, groups, groupLo, hi, d);
  }

  int nodeCount() {
    return nodes;
  }

  int tokenCount() {
    return order.length;
  }
}
