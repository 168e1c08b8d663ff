package dev.robin.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The window technique against a byte-level decoder (GPT-2 style: every token is some bytes, decoded
 * lossily as a whole), where tokens split characters anywhere.
 */
class WindowedDetokenizerTest {

  /** Token i is byte i; 256 is a special token. */
  private static String decodeBytes(int[] ids, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = from; i < to; i++) {
      out.write(ids[i]);
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static WindowedDetokenizer detokenizer() {
    return new WindowedDetokenizer(WindowedDetokenizerTest::decodeBytes, id -> id == 256, id -> false, new int[0]);
  }

  @Test
  void charactersSplitAcrossTokensComeOutWhole() {
    String text = "a🙂b你好é 👩‍👩‍👧!";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    WindowedDetokenizer d = detokenizer();
    List<String> pieces = new ArrayList<>();
    for (byte b : bytes) {
      pieces.add(d.push(b & 0xFF));
      pieces.add(d.push(256)); // specials in between change nothing
    }
    pieces.add(d.flush());
    assertEquals(text, String.join("", pieces));
    for (String piece : pieces) {
      assertFalse(piece.contains("\uFFFD"));
    }
    // Pieces alternate byte, special: the emoji (bytes 1..4) appears with its fourth byte, not before.
    assertEquals(List.of("", "", "", "", "", "", "🙂"), pieces.subList(2, 9));
  }

  @Test
  void randomBytesMatchOneShotLossyDecoding() {
    SplittableRandom random = new SplittableRandom(3);
    for (int round = 0; round < 500; round++) {
      int[] ids = new int[random.nextInt(1, 40)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(256);
      }
      WindowedDetokenizer d = detokenizer();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        streamed.append(d.push(id));
      }
      streamed.append(d.flush());
      assertEquals(decodeBytes(ids, 0, ids.length), streamed.toString());
    }
  }

  @Test
  void anIncompleteCharacterAtTheEndIsFlushedAsReplacement() {
    WindowedDetokenizer d = detokenizer();
    assertEquals("", d.push(0xE4));
    assertEquals("", d.push(0xBD));
    assertEquals("\uFFFD", d.flush());
    assertEquals("", d.flush());
  }
}
