package dev.robin.serving.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The router's memory of prefixes, with strings for replicas and blocks of 4 tokens. */
class PrefixAffinityTest {

  private static final int BLOCK = 4;

  /** Tokens {@code from, from + 1, …} ({@code length} of them). */
  private static int[] run(int from, int length) {
    return IntStream.range(from, from + length).toArray();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aPromptSharingTheLeadingFullBlocksFindsTheReplicaThatGotThem() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 100);
    int[] shared = run(100, 2 * BLOCK);
    affinity.remember(affinity.prefixOf(concat(shared, new int[] {1, 2, 3})), "a");
    assertEquals("a", affinity.lookup(affinity.prefixOf(concat(shared, new int[] {7, 8}))));
    assertEquals("a", affinity.lookup(affinity.prefixOf(concat(run(100, BLOCK), run(0, 6)))),
        "the first block alone is remembered too");
    assertNull(affinity.lookup(affinity.prefixOf(concat(run(0, BLOCK), run(104, 6)))),
        "a different first block is a different prefix, whatever follows (a chain hash)");
    assertNull(affinity.lookup(affinity.prefixOf(run(101, 2 * BLOCK + 3))), "a shifted prompt shares no block");
  }

  @Test
  void theDeepestRememberedPrefixWins() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 100);
    int[] system = run(100, 3 * BLOCK);
    int[] firstTurn = concat(system, run(500, 2 * BLOCK + 1)); // 5 full blocks
    affinity.remember(affinity.prefixOf(firstTurn), "conversation");
    affinity.remember(affinity.prefixOf(concat(system, run(900, 5))), "other"); // same system prompt, later
    int[] nextTurn = concat(firstTurn, run(700, 9));
    assertEquals("conversation", affinity.lookup(affinity.prefixOf(nextTurn)),
        "the next turn goes where its whole previous prompt is, not where its system prompt went last");
    assertEquals("other", affinity.lookup(affinity.prefixOf(concat(system, run(300, 9)))),
        "a new conversation with the same system prompt goes where it went last");
  }

  @Test
  void onlyBlocksTheReplicaCouldReuseAreLookedUpButEveryFullBlockIsRemembered() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 100);
    int[] oneBlock = run(100, BLOCK);
    PrefixAffinity.Prefix exact = affinity.prefixOf(oneBlock);
    assertEquals(0, exact.reusableBlocks(), "the engine always computes the last prompt token");
    affinity.remember(exact, "a");
    assertNull(affinity.lookup(exact));
    assertEquals("a", affinity.lookup(affinity.prefixOf(run(100, BLOCK + 1))), "a longer prompt reuses the block");
    assertEquals(0, affinity.prefixOf(run(100, BLOCK - 1)).reusableBlocks());
    assertEquals(0, affinity.prefixOf(new int[0]).reusableBlocks());
  }

  @Test
  void itRemembersAtMostItsCapacityForgettingTheLeastRecentlyUsed() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 3);
    for (int i = 0; i < 3; i++) {
      affinity.remember(affinity.prefixOf(run(100 * i, BLOCK + 1)), "r" + i);
    }
    assertEquals("r0", affinity.lookup(affinity.prefixOf(run(0, BLOCK + 1)))); // r0 is now the most recent
    for (int i = 3; i < 50; i++) {
      affinity.remember(affinity.prefixOf(run(100 * i, BLOCK + 1)), "r" + i);
      assertTrue(affinity.size() <= 3, "size " + affinity.size());
      if (i == 3) {
        assertNull(affinity.lookup(affinity.prefixOf(run(100, BLOCK + 1))), "r1 was the least recently used");
        assertEquals("r0", affinity.lookup(affinity.prefixOf(run(0, BLOCK + 1))), "r0 was used since");
      }
    }
    assertEquals(3, affinity.size());
    assertEquals("r49", affinity.lookup(affinity.prefixOf(run(4900, BLOCK + 1))));
  }

  @Test
  void aLongPromptTakesAFewEntriesNotOnePerBlock() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 10_000);
    affinity.remember(affinity.prefixOf(run(0, 1000 * BLOCK + 2)), "a");
    assertEquals(11, affinity.size(), "depths 1, 2, 4, …, 512 and 1000");
  }

  @Test
  void forgettingAReplicaForgetsItsPrefixes() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 100);
    affinity.remember(affinity.prefixOf(run(0, 3 * BLOCK)), "gone");
    affinity.remember(affinity.prefixOf(run(100, 3 * BLOCK)), "stays");
    affinity.retainReplicas(List.of("stays"));
    assertNull(affinity.lookup(affinity.prefixOf(run(0, 3 * BLOCK))));
    assertEquals("stays", affinity.lookup(affinity.prefixOf(run(100, 3 * BLOCK))));
    assertEquals(3, affinity.size(), "depths 1, 2 and 3 of the replica that stays");
  }

  @Test
  void withNoCapacityItRemembersNothing() {
    PrefixAffinity<String> affinity = new PrefixAffinity<>(BLOCK, 0);
    PrefixAffinity.Prefix prefix = affinity.prefixOf(run(0, 5 * BLOCK));
    affinity.remember(prefix, "a");
    assertEquals(0, affinity.size());
    assertNull(affinity.lookup(prefix));
    assertThrows(IllegalArgumentException.class, () -> new PrefixAffinity<String>(0, 10));
  }
}
