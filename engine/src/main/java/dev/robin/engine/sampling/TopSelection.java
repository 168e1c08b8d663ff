package dev.robin.engine.sampling;

/**
 * Partial selection of the largest values of a vocabulary-sized row, without sorting the whole row: a
 * bounded min-heap makes it O(V log n) for the n best of V, which matters when V is 150k and n is 40.
 */
final class TopSelection {

  private TopSelection() {}

  /**
   * Ids of the {@code n} largest {@code values}, largest first; among equal values the lowest id comes
   * first (and wins a place when the cut falls inside a tie). NaN must have been replaced beforehand.
   */
  static int[] topIndices(float[] values, int n) {
    int count = Math.min(n, values.length);
    if (count <= 0) {
      return new int[0];
    }
    // heap[0] is the worst kept id: smallest value, and on equal values the highest id.
    int[] heap = new int[count];
    int size = 0;
    for (int id = 0; id < values.length; id++) {
      if (size < count) {
        heap[size] = id;
        siftUp(heap, size, values);
        size++;
      } else if (values[id] > values[heap[0]]) {
        // Ids arrive in ascending order, so an equal value never displaces an earlier (lower) id.
        heap[0] = id;
        siftDown(heap, size, values);
      }
    }
    int[] best = new int[size];
    for (int i = size - 1; i >= 0; i--) {
      best[i] = heap[0];
      heap[0] = heap[i];
      siftDown(heap, i, values);
    }
    return best;
  }

  /** Whether id {@code a} ranks below id {@code b}: smaller value, or equal value and higher id. */
  private static boolean worse(int a, int b, float[] values) {
    float va = values[a];
    float vb = values[b];
    return va < vb || (va == vb && a > b);
  }

  private static void siftUp(int[] heap, int index, float[] values) {
    int item = heap[index];
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      if (!worse(item, heap[parent], values)) {
        break;
      }
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = item;
  }

  private static void siftDown(int[] heap, int size, float[] values) {
    int index = 0;
    int item = heap[0];
    while (true) {
      int child = 2 * index + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && worse(heap[child + 1], heap[child], values)) {
        child++;
      }
      if (!worse(heap[child], item, values)) {
        break;
      }
      heap[index] = heap[child];
      index = child;
    }
    heap[index] = item;
  }
}
