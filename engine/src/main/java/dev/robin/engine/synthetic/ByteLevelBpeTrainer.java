package dev.robin.engine.synthetic;

import dev.robin.engine.tokenizer.ByteLevelAlphabet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges from a text, deterministically: the text is split as GPT-2's pre-tokenizer
 * splits it, each piece becomes its byte-level symbols, and the most frequent adjacent pair is merged until
 * enough merges are found. Ties go to the pair that sorts first, so the result never depends on hash order.
 * A pair whose merged string is already a token is skipped, so every merge adds exactly one new token.
 */
public final class ByteLevelBpeTrainer {

  /** One merge rule: {@code left + right} becomes a single token. */
  public record Merge(String left, String right) {

    public String merged() {
      return left + right;
    }

    /** The {@code "left right"} form of a {@code tokenizer.json} merges list. */
    public String asTokenizerJson() {
      return left + " " + right;
    }
  }

  /** GPT-2's split pattern, which the Hugging Face ByteLevel pre-tokenizer applies with use_regex. */
  static final Pattern GPT2_SPLIT = Pattern.compile(
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
      Pattern.UNICODE_CHARACTER_CLASS);

  private ByteLevelBpeTrainer() {}

  /**
   * Learns {@code numMerges} merges from {@code text}, never producing a token in {@code reserved} (the
   * byte symbols and special tokens). Fails when the text has too few repeated pairs.
   */
  public static List<Merge> train(String text, int numMerges, Set<String> reserved) {
    List<List<String>> words = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : pieceCounts(text).entrySet()) {
      List<String> symbols = new ArrayList<>();
      for (char c : e.getKey().toCharArray()) {
        symbols.add(String.valueOf(c));
      }
      words.add(symbols);
      counts.add(e.getValue());
    }
    Set<String> tokens = new HashSet<>(reserved);
    List<Merge> merges = new ArrayList<>(numMerges);
    while (merges.size() < numMerges) {
      Merge best = mostFrequentNewPair(words, counts, tokens);
      if (best == null) {
        throw new IllegalStateException(
            "the training text yields only " + merges.size() + " merges, " + numMerges + " are needed");
      }
      merges.add(best);
      tokens.add(best.merged());
      for (List<String> w : words) {
        applyMerge(w, best);
      }
    }
    return merges;
  }

  /** Byte-level pieces of the text with their counts, sorted so iteration order is fixed. */
  private static Map<String, Integer> pieceCounts(String text) {
    Map<String, Integer> counts = new TreeMap<>();
    Matcher m = GPT2_SPLIT.matcher(text);
    while (m.find()) {
      counts.merge(ByteLevelAlphabet.encode(m.group()), 1, Integer::sum);
    }
    return counts;
  }

  private static Merge mostFrequentNewPair(List<List<String>> words, List<Integer> counts, Set<String> tokens) {
    Map<Merge, Integer> pairCounts = new HashMap<>();
    for (int i = 0; i < words.size(); i++) {
      List<String> w = words.get(i);
      for (int j = 0; j + 1 < w.size(); j++) {
        pairCounts.merge(new Merge(w.get(j), w.get(j + 1)), counts.get(i), Integer::sum);
      }
    }
    Merge best = null;
    int bestCount = 1; // a pair seen once teaches nothing
    for (Map.Entry<Merge, Integer> e : pairCounts.entrySet()) {
      Merge pair = e.getKey();
      int c = e.getValue();
      if (tokens.contains(pair.merged())) {
        continue;
      }
      if (c > bestCount || (c == bestCount && best != null && comesFirst(pair, best))) {
        best = pair;
        bestCount = c;
      }
    }
    return best;
  }

  private static boolean comesFirst(Merge a, Merge b) {
    int byLeft = a.left().compareTo(b.left());
    return byLeft != 0 ? byLeft < 0 : a.right().compareTo(b.right()) < 0;
  }

  private static void applyMerge(List<String> w, Merge m) {
    for (int j = 0; j + 1 < w.size(); j++) {
      if (w.get(j).equals(m.left()) && w.get(j + 1).equals(m.right())) {
        w.set(j, m.merged());
        w.remove(j + 1);
      }
    }
  }
}
