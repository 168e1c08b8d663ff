package dev.robin.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real stories260k tokenizer against the golden reference (llama2.c's own tokenizer). */
class HuggingFaceTextTokenizerTest {

  private static HuggingFaceTextTokenizer tokenizer;
  private static JsonNode golden;

  @BeforeAll
  static void load() throws IOException {
    tokenizer = HuggingFaceTextTokenizer.load(TestModels.stories260k());
    golden = new ObjectMapper().readTree(TestModels.stories260kGoldenFile().toFile());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static String stream(IncrementalDetokenizer detokenizer, int[] ids, List<String> pieces) {
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      String piece = detokenizer.push(id);
      pieces.add(piece);
      text.append(piece);
    }
    String rest = detokenizer.flush();
    pieces.add(rest);
    return text.append(rest).toString();
  }

  @Test
  void encodesEveryGoldenPromptExactlyWithBos() {
    int checked = 0;
    for (JsonNode c : golden.get("cases")) {
      assertArrayEquals(ints(c.get("prompt_ids")), tokenizer.encode(c.get("prompt").asText(), true),
          "prompt '" + c.get("prompt").asText() + "'");
      checked++;
    }
    for (JsonNode c : golden.get("tokenizer_cases")) {
      assertArrayEquals(ints(c.get("ids")), tokenizer.encode(c.get("text").asText(), true),
          "text '" + c.get("text").asText() + "'");
      checked++;
    }
    assertEquals(20, checked);
    assertArrayEquals(new int[] {1}, tokenizer.encode("", true));
    assertArrayEquals(new int[0], tokenizer.encode("", false));
  }

  @Test
  void withoutSpecialTokensThereIsNoBos() {
    assertArrayEquals(new int[] {403, 407, 261, 378}, tokenizer.encode("Once upon a time", false));
  }

  @Test
  void longTextIsNotTruncatedToModelMaxLength() {
    String text = "Once upon a time there was a little dog. ".repeat(200);
    int[] ids = tokenizer.encode(text, true);
    assertTrue(ids.length > 1500, "got " + ids.length + " tokens; model_max_length is 512");
    assertEquals(text, tokenizer.decode(ids, true));
  }

  @Test
  void decodesGoldenPromptsAndOutputs() {
    for (JsonNode c : golden.get("cases")) {
      int[] all = concat(ints(c.get("prompt_ids")), ints(c.get("output_ids")));
      assertEquals(c.get("text").asText(), tokenizer.decode(all, true));
      assertEquals(c.get("prompt").asText(), tokenizer.decode(ints(c.get("prompt_ids")), true));
    }
    // The decoder strips one leading space of the whole text, which here starts with "<s>".
    assertEquals("<s> Once upon a time", tokenizer.decode(new int[] {1, 403, 407, 261, 378}, false));
  }

  @Test
  void streamingAfterThePromptGivesTheReferenceOutputText() {
    for (JsonNode c : golden.get("cases")) {
      List<String> pieces = new ArrayList<>();
      String text = stream(tokenizer.newDetokenizer(ints(c.get("prompt_ids"))), ints(c.get("output_ids")), pieces);
      assertEquals(c.get("output_text").asText(), text, "prompt '" + c.get("prompt").asText() + "'");
    }
  }

  @Test
  void streamingEqualsOneShotDecodeOfGoldenOutputs() {
    for (JsonNode c : golden.get("cases")) {
      int[] out = ints(c.get("output_ids"));
      String text = stream(tokenizer.newDetokenizer(), out, new ArrayList<>());
      assertEquals(tokenizer.decode(out, true), text);
    }
  }

  @Test
  void unicodeRoundTripsAndStreamsWithoutReplacementCharacters() {
    String[] texts = {
      "Café “quoted” — dash… naïve façade",
      "emoji 🙂🎉👩‍👩‍👧 ok",
      "你好，世界！こんにちは 안녕하세요",
      "Ærøskøbing, Łódź, São Paulo, Ñandú, Ünïcödé",
      "mixed 🙂 你 é\n\ttabs and  spaces ",
    };
    for (String text : texts) {
      int[] ids = tokenizer.encode(text, false);
      assertEquals(text, tokenizer.decode(ids, true));
      List<String> pieces = new ArrayList<>();
      assertEquals(text, stream(tokenizer.newDetokenizer(), ids, pieces));
      for (String piece : pieces) {
        assertFalse(piece.contains("\uFFFD"), "emitted a replacement character for '" + text + "'");
      }
    }
  }

  @Test
  void randomTextStreamsExactly() {
    String alphabet = "abcdefghij ABC.,!?'\n\té中文日本語🙂👍ñüß—…";
    int[] codePoints = alphabet.codePoints().toArray();
    SplittableRandom random = new SplittableRandom(5);
    for (int round = 0; round < 200; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(1, 60);
      for (int i = 0; i < length; i++) {
        text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
      }
      int[] ids = tokenizer.encode(text.toString(), false);
      List<String> pieces = new ArrayList<>();
      String streamed = stream(tokenizer.newDetokenizer(), ids, pieces);
      assertEquals(tokenizer.decode(ids, true), streamed);
      assertTrue(pieces.stream().noneMatch(p -> p.contains("\uFFFD")), "U+FFFD streamed for " + text);
    }
  }

  @Test
  void randomTokensStreamLikeOneShotDecode() {
    SplittableRandom random = new SplittableRandom(11);
    int vocab = tokenizer.vocabSize();
    for (int round = 0; round < 300; round++) {
      int length = random.nextInt(1, 80);
      int[] ids = new int[length];
      int byteRun = 0;
      for (int i = 0; i < length; i++) {
        int id = random.nextInt(vocab);
        // Runs of byte tokens longer than the hold-back window may hold invalid UTF-8 decided later.
        byteRun = id >= 3 && id <= 258 ? byteRun + 1 : 0;
        ids[i] = byteRun >= WindowedDetokenizer.MAX_PENDING ? 300 : id;
      }
      String streamed = stream(tokenizer.newDetokenizer(), ids, new ArrayList<>());
      assertEquals(tokenizer.decode(ids, true), streamed, "tokens " + java.util.Arrays.toString(ids));
    }
  }

  @Test
  void specialTokensNeverReachTheText() {
    IncrementalDetokenizer detokenizer = tokenizer.newDetokenizer();
    assertEquals("", detokenizer.push(1));
    StringBuilder text = new StringBuilder();
    for (int id : new int[] {403, 407, 2, 261, 378, 1, 0}) {
      text.append(detokenizer.push(id));
    }
    text.append(detokenizer.flush());
    assertEquals("Once upon a time", text.toString());
    assertTrue(tokenizer.isSpecial(0) && tokenizer.isSpecial(1) && tokenizer.isSpecial(2));
    assertFalse(tokenizer.isSpecial(403));
  }

  @Test
  void tokenTextsAndBytes() {
    assertEquals(" there", tokenizer.tokenText(383));
    assertEquals(",", tokenizer.tokenText(432));
    assertEquals("\n", tokenizer.tokenText(13));
    assertEquals("<s>", tokenizer.tokenText(1));
    assertArrayEquals(new byte[] {(byte) 0xE2}, tokenizer.tokenBytes(229)); // <0xE2>
    assertEquals("<s>", tokenizer.bosToken());
    assertEquals("</s>", tokenizer.eosToken());
    assertEquals(1, tokenizer.bosTokenId());
    assertEquals(2, tokenizer.eosTokenId());
    assertEquals(512, tokenizer.vocabSize());
  }

  @Test
  void concurrentEncodeAndDecodeAgree() throws Exception {
    String[] texts = {"Once upon a time", "Café 🙂 你好", "The little dog ran. ".repeat(20), "tab\there"};
    int[][] expected = new int[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      expected[i] = tokenizer.encode(texts[i], true);
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 200; round++) {
            int i = round % texts.length;
            if (!java.util.Arrays.equals(expected[i], tokenizer.encode(texts[i], true))
                || !texts[i].equals(tokenizer.decode(expected[i], true))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (java.util.concurrent.Future<Boolean> r : results) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void idsBeyondTheTokenizerVocabularyProduceNoText() {
    // A model may pad its embedding (and logits) past the tokenizer's vocabulary.
    assertEquals("Once", tokenizer.decode(new int[] {403, 600, 100_000}, true));
    IncrementalDetokenizer d = tokenizer.newDetokenizer();
    assertEquals("Once", d.push(403) + d.push(600) + d.push(100_000) + d.flush());
    assertEquals("", tokenizer.tokenText(600));
    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {-1}, true));
  }

  @Test
  void aDirectoryWithoutTokenizerJsonFailsClearly(@TempDir Path empty) {
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> HuggingFaceTextTokenizer.load(empty));
    assertTrue(e.getMessage().contains("tokenizer.json"));
  }
}
