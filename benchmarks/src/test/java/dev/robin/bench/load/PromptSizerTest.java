package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class PromptSizerTest {

  /** A stand-in tokenizer that, like a byte-level BPE, spends several tokens on a word: BOS + ⌈len/2⌉ each. */
  private static final ToIntFunction<String> BYTE_PAIRS = prompt -> {
    int tokens = 1;
    for (String word : prompt.split(" ")) {
      tokens += (word.length() + 2) / 2;
    }
    return tokens;
  };

  @Test
  void everyPromptIsTheLongestThatFitsTheTarget() {
    AtomicInteger calls = new AtomicInteger();
    ToIntFunction<String> counting = p -> {
      calls.incrementAndGet();
      return BYTE_PAIRS.applyAsInt(p);
    };
    List<String> prompts = PromptSizer.prompts(counting, 128, false, 7, 50);
    assertEquals(50, prompts.size());
    assertEquals(50, new HashSet<>(prompts).size(), "prompts are distinct");
    PromptGenerator g = new PromptGenerator(1, 0, 7);
    int exact = 0;
    for (int i = 0; i < prompts.size(); i++) {
      String p = prompts.get(i);
      int tokens = BYTE_PAIRS.applyAsInt(p);
      int words = p.split(" ").length;
      assertTrue(tokens <= 128, "prompt " + i + " has " + tokens + " tokens");
      assertTrue(BYTE_PAIRS.applyAsInt(g.prompt(i, words + 1)) > 128, "prompt " + i + " could take one more word");
      assertTrue(tokens >= 128 - 6, "prompt " + i + " is at most one word short: " + tokens);
      exact += tokens == 128 ? 1 : 0;
    }
    assertTrue(exact > 5, "many prompts hit the target exactly: " + exact);
    // The first prompt walks down from one word per token; the others start from their neighbour's answer.
    assertTrue(calls.get() < 128 + 50 * 6, "tokenizer calls: " + calls.get());
  }

  @Test
  void sharedPrefixIsAboutThreeQuartersOfTheTokensAndCommonToAll() {
    List<String> prompts = PromptSizer.prompts(BYTE_PAIRS, 100, true, 3, 10);
    List<String> first = List.of(prompts.get(0).split(" "));
    int common = first.size();
    for (String p : prompts) {
      List<String> words = List.of(p.split(" "));
      int same = 0;
      while (same < Math.min(common, words.size()) && words.get(same).equals(first.get(same))) {
        same++;
      }
      common = same;
      assertTrue(BYTE_PAIRS.applyAsInt(p) <= 100);
    }
    int sharedTokens = BYTE_PAIRS.applyAsInt(String.join(" ", first.subList(0, common)));
    assertTrue(sharedTokens >= 65 && sharedTokens <= 80, "shared prefix tokens: " + sharedTokens);
  }

  @Test
  void aTargetBelowOneWordStillGivesOneWord() {
    List<String> prompts = PromptSizer.prompts(BYTE_PAIRS, 1, false, 1, 3);
    prompts.forEach(p -> assertEquals(1, p.split(" ").length));
    assertThrows(IllegalArgumentException.class, () -> new PromptSizer(BYTE_PAIRS, 0));
  }
}
