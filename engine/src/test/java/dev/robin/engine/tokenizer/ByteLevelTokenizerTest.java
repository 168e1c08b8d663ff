package dev.robin.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPT-2-style byte-level BPE tokenizer (as Llama 3, Qwen and SmolLM use), built here with the 256 byte
 * tokens and two merges, one of which holds the first two bytes of 你: tokens split characters.
 */
class ByteLevelTokenizerTest {

  @TempDir static Path dir;
  private static HuggingFaceTextTokenizer tokenizer;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** GPT-2's printable stand-in for each byte. */
  private static char byteChar(int b) {
    boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    if (printable) {
      return (char) b;
    }
    int n = 0;
    for (int i = 0; i < b; i++) {
      boolean p = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
      if (!p) {
        n++;
      }
    }
    return (char) (256 + n);
  }

  @BeforeAll
  static void build() throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    ObjectNode eot = added.addObject();
    eot.put("id", 259).put("content", "<|endoftext|>").put("single_word", false).put("lstrip", false)
        .put("rstrip", false).put("normalized", false).put("special", true);
    root.putNull("normalizer");
    ObjectNode byteLevel = JSON.createObjectNode();
    byteLevel.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
    root.set("pre_tokenizer", byteLevel.deepCopy());
    root.set("post_processor", byteLevel.deepCopy());
    root.set("decoder", byteLevel.deepCopy());
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false).put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(byteChar(b)), b);
    }
    String space = String.valueOf(byteChar(' '));
    String ni = "" + byteChar(0xE4) + byteChar(0xBD); // first two bytes of 你 (E4 BD A0)
    vocab.put(space + "t", 256);
    vocab.put(ni, 257);
    vocab.put(space + "th", 258);
    ArrayNode merges = model.putArray("merges");
    merges.add(space + " t");
    merges.add(byteChar(0xE4) + " " + byteChar(0xBD));
    merges.add(space + "t h");
    Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|endoftext|>\", \"bos_token\": null}");
    tokenizer = HuggingFaceTextTokenizer.load(dir);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void roundTripsAndSplitsCharactersInsideTokens() {
    String text = "the 你好 café 🙂 thé";
    int[] ids = tokenizer.encode(text, true);
    assertEquals(text, tokenizer.decode(ids, true));
    assertTrue(java.util.Arrays.stream(ids).anyMatch(id -> id == 257), "你 starts with the merged token");
    StringBuilder streamed = new StringBuilder();
    IncrementalDetokenizer d = tokenizer.newDetokenizer();
    for (int id : ids) {
      String piece = d.push(id);
      assertFalse(piece.contains("\uFFFD"), "streamed a replacement character");
      streamed.append(piece);
    }
    assertEquals(text, streamed.append(d.flush()).toString());
  }

  @Test
  void tokensShowTheirBytes() {
    assertEquals(" t", tokenizer.tokenText(256));
    assertArrayEquals(new byte[] {(byte) 0xE4, (byte) 0xBD}, tokenizer.tokenBytes(257));
    assertEquals("<|endoftext|>", tokenizer.tokenText(259));
    assertTrue(tokenizer.isSpecial(259));
    assertEquals(259, tokenizer.eosTokenId());
    assertEquals("", tokenizer.bosToken());
    assertEquals(260, tokenizer.vocabSize());
  }

  @Test
  void randomTokensStreamLikeOneShotDecode() {
    SplittableRandom random = new SplittableRandom(9);
    for (int round = 0; round < 300; round++) {
      int[] ids = new int[random.nextInt(1, 50)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(tokenizer.vocabSize());
      }
      IncrementalDetokenizer d = tokenizer.newDetokenizer();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        streamed.append(d.push(id));
      }
      streamed.append(d.flush());
      assertEquals(tokenizer.decode(ids, true), streamed.toString(), java.util.Arrays.toString(ids));
    }
  }

  @Test
  void invalidBytesStreamWithinThreeTokensLikeOneShotDecode() {
    // Tokens 0..255 are single bytes here: a random-weight model over this vocabulary emits invalid UTF-8
    // constantly. The decoder (the Rust tokenizer's lossy UTF-8) must be matched, and never stalled on.
    SplittableRandom random = new SplittableRandom(31);
    for (int round = 0; round < 300; round++) {
      byte[] bytes = RandomUtf8.messyBytes(random, random.nextInt(1, 120));
      int[] ids = new int[bytes.length];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = bytes[i] & 0xFF;
      }
      String oneShot = tokenizer.decode(ids, true);
      IncrementalDetokenizer d = tokenizer.newDetokenizer();
      StringBuilder streamed = new StringBuilder();
      int emptyInARow = 0;
      for (int id : ids) {
        String piece = d.push(id);
        emptyInARow = piece.isEmpty() ? emptyInARow + 1 : 0;
        assertTrue(emptyInARow <= 3, "held back 4 tokens: " + java.util.Arrays.toString(ids));
        streamed.append(piece);
      }
      assertEquals(oneShot, streamed.append(d.flush()).toString(), java.util.Arrays.toString(ids));
    }
  }
}
