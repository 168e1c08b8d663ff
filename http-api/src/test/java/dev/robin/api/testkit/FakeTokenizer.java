package dev.robin.api.testkit;

import dev.robin.engine.tokenizer.IncrementalDetokenizer;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A tokenizer over a small fixed vocabulary: a few multi-character words (so stop strings can span token
 * boundaries), then every printable ASCII character. Greedy longest match; id 0 is BOS, 1 is EOS.
 */
public class FakeTokenizer implements TextTokenizer {

  public static final int BOS = 0;
  public static final int EOS = 1;
  /** A 64 KiB token, to fill socket buffers quickly in slow-client tests. */
  public static final String HUGE = "#".repeat(65536);
  private static final String[] WORDS = {
    "<s>", "</s>", "Hello", " world", "!", " The", " end", ".", " once", " upon", " a", " time"
  };

  private final List<String> vocab = new ArrayList<>();

  public FakeTokenizer() {
    vocab.addAll(List.of(WORDS));
    vocab.add(HUGE);
    for (char c = 32; c < 127; c++) {
      vocab.add(String.valueOf(c));
    }
  }

  public int id(String token) {
    int id = vocab.indexOf(token);
    if (id < 0) {
      throw new IllegalArgumentException("not in the fake vocabulary: " + token);
    }
    return id;
  }

  @Override
  public int[] encode(String text, boolean addSpecialTokens) {
    List<Integer> ids = new ArrayList<>();
    if (addSpecialTokens) {
      ids.add(BOS);
    }
    int pos = 0;
    while (pos < text.length()) {
      int best = -1;
      int bestLen = 0;
      for (int id = 0; id < vocab.size(); id++) {
        String t = vocab.get(id);
        if (t.length() > bestLen && text.startsWith(t, pos)) {
          best = id;
          bestLen = t.length();
        }
      }
      if (best < 0) {
        best = vocab.indexOf("?");
        bestLen = Character.charCount(text.codePointAt(pos));
      }
      ids.add(best);
      pos += bestLen;
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      if (!(skipSpecialTokens && isSpecial(id))) {
        sb.append(vocab.get(id));
      }
    }
    return sb.toString();
  }

  @Override
  public IncrementalDetokenizer newDetokenizer() {
    return new IncrementalDetokenizer() {
      @Override
      public String push(int tokenId) {
        return isSpecial(tokenId) ? "" : vocab.get(tokenId);
      }

      @Override
      public String flush() {
        return "";
      }
    };
  }

  @Override
  public boolean isSpecial(int id) {
    return id == BOS || id == EOS;
  }

  @Override
  public String tokenText(int id) {
    return vocab.get(id);
  }

  @Override
  public String bosToken() {
    return "<s>";
  }

  @Override
  public String eosToken() {
    return "</s>";
  }

  @Override
  public int vocabSize() {
    return vocab.size();
  }

  @Override
  public void close() {}
}
