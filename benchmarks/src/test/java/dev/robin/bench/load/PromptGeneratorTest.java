package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptGeneratorTest {

  @Test
  void promptsHaveTheAskedNumberOfWordsAndDifferFromTheFirstWordsOn() {
    PromptGenerator g = new PromptGenerator(128, false, 7);
    Set<String> firstFour = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String[] words = g.prompt(i).split(" ");
      assertEquals(128, words.length);
      firstFour.add(String.join(" ", Arrays.copyOf(words, 4)));
    }
    assertEquals(50, firstFour.size(), "no two prompts share their first four words");
    assertEquals(g.prompt(3), g.prompt(3));
  }

  @Test
  void sharedPrefixKeepsThreeQuartersIdentical() {
    PromptGenerator g = new PromptGenerator(100, true, 7);
    List<String> a = List.of(g.prompt(1).split(" "));
    List<String> b = List.of(g.prompt(2).split(" "));
    assertEquals(a.subList(0, 75), b.subList(0, 75));
    assertNotEquals(a.subList(75, 100), b.subList(75, 100));
  }

  @Test
  void rejectsEmptyPrompts() {
    assertThrows(IllegalArgumentException.class, () -> new PromptGenerator(0, false, 1));
  }
}
