package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Robin's byte-level BPE loads in the Hugging Face tokenizers library (through DJL) and round-trips text. */
class SyntheticTokenizerTest {

  @TempDir static Path dir;
  static HuggingFaceTokenizer hf;

  @BeforeAll
  static void writeAndLoad() throws IOException {
    SyntheticTokenizer.get().writeTo(dir);
    hf = HuggingFaceTokenizer.newInstance(dir);
  }

  @Test
  void hasExactly512DistinctTokensWithSpecialsFirst() {
    List<String> tokens = SyntheticTokenizer.get().tokens();
    assertEquals(512, tokens.size());
    assertEquals(512, new HashSet<>(tokens).size());
    assertEquals(SyntheticTokenizer.BOS, tokens.get(SyntheticTokenizer.BOS_ID));
    assertEquals(SyntheticTokenizer.IM_END, tokens.get(SyntheticTokenizer.IM_END_ID));
    assertEquals("Ġ", tokens.get(4 + ' '), "a space is GPT-2's Ġ");
    assertEquals(252, SyntheticTokenizer.get().merges().size());
  }

  @Test
  void trainingIsDeterministic() {
    String text = "the cat and the hat and the bat sat on the mat, the end";
    List<ByteLevelBpeTrainer.Merge> a = ByteLevelBpeTrainer.train(text, 4, new HashSet<>());
    List<ByteLevelBpeTrainer.Merge> b = ByteLevelBpeTrainer.train(text, 4, new HashSet<>());
    assertEquals(a, b);
    assertEquals(new ByteLevelBpeTrainer.Merge("a", "t"), a.get(0), "'at' is the most frequent pair");
  }

  @Test
  void roundTripsAnyUtf8TextWithIdsBelow512() {
    for (String text : List.of(
        "Once upon a time, the robin sang.",
        "Café, naïve, Ærøskøbing, Größe — déjà vu!",
        "Emoji: 🐦🎉👍🏽 and 中文 and עברית",
        "  leading spaces, tabs\tand\nnewlines\n\n",
        "numbers 12345 3.14159 and symbols <>{}[]~`")) {
      Encoding enc = hf.encode(text);
      long[] ids = enc.getIds();
      assertEquals(SyntheticTokenizer.BOS_ID, ids[0], "BOS first: " + text);
      for (long id : ids) {
        assertTrue(id >= 0 && id < 512, "id " + id + " for " + text);
      }
      assertEquals(text, hf.decode(ids, true), "round trip");
    }
  }

  @Test
  void commonEnglishIsCompressedByTheMerges() {
    String text = "the robin and the children in the garden";
    long[] ids = hf.encode(text, false, false).getIds();
    assertTrue(ids.length < text.length() / 2, ids.length + " tokens for " + text.length() + " bytes");
  }

  @Test
  void chatTokensAreSingleSpecialIds() {
    String prompt = "<|begin_of_text|><|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
    Encoding enc = hf.encode(prompt, false, false);
    long[] ids = enc.getIds();
    assertEquals(SyntheticTokenizer.BOS_ID, ids[0], java.util.Arrays.toString(enc.getTokens()));
    assertEquals(SyntheticTokenizer.IM_START_ID, ids[1], java.util.Arrays.toString(enc.getTokens()));
    assertEquals(2, count(ids, SyntheticTokenizer.IM_START_ID));
    assertEquals(1, count(ids, SyntheticTokenizer.IM_END_ID));
    assertEquals("user\nHi\nassistant\n", hf.decode(ids, true), "special tokens skipped");
    assertEquals(prompt, hf.decode(ids, false));
  }

  @Test
  void idsMatchTheVocabularyOrder() {
    long[] ids = hf.encode("!", false, false).getIds();
    assertArrayEquals(new long[] {4 + '!'}, ids);
  }

  private static int count(long[] ids, int id) {
    int n = 0;
    for (long i : ids) {
      if (i == id) {
        n++;
      }
    }
    return n;
  }
}
