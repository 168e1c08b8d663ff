package dev.robin.engine.grammar;

import java.util.Arrays;

/** A growable list of ints, to keep automaton construction free of boxing. */
final class IntList {

  private int[] values;
  private int size;

  IntList() {
    this(8);
  }

  IntList(int capacity) {
    values = new int[Math.max(1, capacity)];
  }

  void add(int v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  int get(int i) {
    return values[i];
  }

  void set(int i, int v) {
    values[i] = v;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void clear() {
    size = 0;
  }

  void truncate(int newSize) {
    size = newSize;
  }

  int[] toArray() {
    return Arrays.copyOf(values, size);
  }
}
