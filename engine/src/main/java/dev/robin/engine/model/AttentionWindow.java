package dev.robin.engine.model;

import dev.robin.engine.config.ModelConfig;

/**
 * The runner's view of a model's sliding window: its size and which layers use it. A window at least as long as
 * every position the model can hold never hides anything, so it counts as none and costs nothing.
 *
 * @param size keys a sliding layer's query sees, itself included; 0 when no layer slides
 * @param slidingLayers per layer, whether it slides
 * @param anyFullLayer whether some layer attends to the whole context
 */
record AttentionWindow(int size, boolean[] slidingLayers, boolean anyFullLayer) {

  static AttentionWindow of(ModelConfig c) {
    int layers = c.numHiddenLayers();
    boolean[] sliding = new boolean[layers];
    ModelConfig.SlidingWindow w = c.slidingWindow();
    if (w == null || w.size() >= c.maxPositionEmbeddings()) {
      return new AttentionWindow(0, sliding, true);
    }
    boolean anyFull = false;
    for (int l = 0; l < layers; l++) {
      sliding[l] = c.slidingWindowOf(l) > 0;
      anyFull |= !sliding[l];
    }
    return new AttentionWindow(w.size(), sliding, anyFull);
  }

  boolean none() {
    return size == 0;
  }

  boolean slides(int layer) {
    return slidingLayers[layer];
  }
}
