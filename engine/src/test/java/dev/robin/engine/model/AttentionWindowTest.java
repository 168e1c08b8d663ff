package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.config.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which layers the runner treats as sliding, and when a window costs nothing. */
class AttentionWindowTest {

  @Test
  void llamaHasNone() {
    AttentionWindow w = AttentionWindow.of(RandomWeights.llama25m());
    assertTrue(w.none());
    assertFalse(w.slides(0));
  }

  @Test
  void qwen2SlidesItsSlidingLayersOnly() {
    AttentionWindow w = AttentionWindow.of(SlidingWindowReferenceTest.qwen2(7, List.of(2)));
    assertEquals(7, w.size());
    assertArrayEquals(new boolean[] {false, false, true}, w.slidingLayers());
    assertTrue(w.anyFullLayer());
    assertFalse(AttentionWindow.of(SlidingWindowReferenceTest.mistral(7)).anyFullLayer());
  }

  /** The test models hold 128 positions: a query at 127 sees 128 keys under a window of 128, i.e. all. */
  @Test
  void windowAsLongAsEveryPositionIsNone() {
    assertTrue(AttentionWindow.of(SlidingWindowReferenceTest.mistral(128)).none());
    assertEquals(127, AttentionWindow.of(SlidingWindowReferenceTest.mistral(127)).size());
    ModelConfig c = SlidingWindowReferenceTest.mistral(4096);
    assertTrue(AttentionWindow.of(c).none());
    assertEquals(4096, c.slidingWindowOf(0), "the config keeps what config.json says");
  }
}
