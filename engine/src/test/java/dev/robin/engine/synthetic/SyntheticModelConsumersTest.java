package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.chat.ChatMessage;
import dev.robin.engine.chat.ChatTemplates;
import dev.robin.engine.tokenizer.HuggingFaceTextTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Robin's own tokenizer and chat template, read back by the classes that serve requests. */
class SyntheticModelConsumersTest {

  @TempDir static Path root;
  static Path dir;
  static HuggingFaceTextTokenizer tokenizer;

  @BeforeAll
  static void load() {
    dir = ModelLocator.resolve("synthetic:tiny", root);
    tokenizer = HuggingFaceTextTokenizer.load(dir);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void tokenizerKnowsItsSpecialTokens() {
    assertEquals(SyntheticTokenizer.VOCAB_SIZE, tokenizer.vocabSize());
    assertEquals(SyntheticTokenizer.BOS_ID, tokenizer.bosTokenId());
    assertEquals(SyntheticTokenizer.EOS_ID, tokenizer.eosTokenId());
    assertEquals(SyntheticTokenizer.BOS, tokenizer.bosToken());
    for (int id = 0; id < 4; id++) {
      assertTrue(tokenizer.isSpecial(id), "special " + id);
    }
    assertTrue(!tokenizer.isSpecial(4 + 'a'));
    assertArrayEquals(new byte[] {'A'}, tokenizer.tokenBytes(4 + 'A'));
    assertArrayEquals(new byte[] {(byte) 0xF0}, tokenizer.tokenBytes(4 + 0xF0), "a lone UTF-8 lead byte");
    int the = SyntheticTokenizer.get().tokens().indexOf("Ġthe");
    assertEquals(" the", tokenizer.tokenText(the));
  }

  @Test
  void encodesWithOneBosAndRoundTrips() {
    String text = "Hello, wörld! 🐦";
    int[] ids = tokenizer.encode(text, true);
    assertEquals(SyntheticTokenizer.BOS_ID, ids[0]);
    assertTrue(ids[1] != SyntheticTokenizer.BOS_ID, "BOS added once");
    assertEquals(text, tokenizer.decode(ids, true));
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length,
        Arrays.stream(tokenizer.encode(text, false)).map(id -> tokenizer.tokenBytes(id).length).sum());
  }

  @Test
  void chatTemplateRendersChatMlThatEncodesToSpecialIds() {
    String prompt = ChatTemplates.forModel(dir).render(
        List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")), true);
    assertEquals("<|begin_of_text|><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        + "<|im_start|>assistant\n", prompt);
    int[] ids = tokenizer.encode(prompt, false);
    assertEquals(SyntheticTokenizer.BOS_ID, ids[0]);
    assertEquals(SyntheticTokenizer.IM_START_ID, ids[1]);
    assertEquals(3, Arrays.stream(ids).filter(id -> id == SyntheticTokenizer.IM_START_ID).count());
    assertEquals(2, Arrays.stream(ids).filter(id -> id == SyntheticTokenizer.IM_END_ID).count());
  }
}
