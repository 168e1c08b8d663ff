package dev.robin.engine.kvcache;

/**
 * The free blocks in eviction order: a doubly linked list over block ids kept in two int arrays, so taking
 * the head, appending, and removing a block from the middle (when a cached block is reused) are all O(1)
 * and allocation-free.
 */
final class FreeBlockQueue {

  private final int[] prev;
  private final int[] next;
  private final boolean[] queued;
  private final int sentinel;
  private int size;

  /** A queue holding every block id {@code 0..numBlocks-1}, in order. */
  FreeBlockQueue(int numBlocks) {
    prev = new int[numBlocks + 1];
    next = new int[numBlocks + 1];
    queued = new boolean[numBlocks];
    sentinel = numBlocks;
    prev[sentinel] = sentinel;
    next[sentinel] = sentinel;
    for (int id = 0; id < numBlocks; id++) {
      addLast(id);
    }
  }

  int size() {
    return size;
  }

  boolean contains(int id) {
    return queued[id];
  }

  /** Removes and returns the block to evict first; the caller checks {@link #size()} beforehand. */
  int popFirst() {
    if (size == 0) {
      throw new IllegalStateException("no free block");
    }
    int id = next[sentinel];
    remove(id);
    return id;
  }

  /** Appends a block that should be reused last (it holds a cached prefix). */
  void addLast(int id) {
    insertAfter(prev[sentinel], id);
  }

  /** Prepends a block that should be reused first (it holds nothing worth keeping). */
  void addFirst(int id) {
    insertAfter(sentinel, id);
  }

  void remove(int id) {
    if (!queued[id]) {
      throw new IllegalStateException("block " + id + " is not free");
    }
    next[prev[id]] = next[id];
    prev[next[id]] = prev[id];
    queued[id] = false;
    size--;
  }

  private void insertAfter(int at, int id) {
    if (queued[id]) {
      throw new IllegalStateException("block " + id + " is already free");
    }
    int after = next[at];
    prev[id] = at;
    next[id] = after;
    next[at] = id;
    prev[after] = id;
    queued[id] = true;
    size++;
  }
}
