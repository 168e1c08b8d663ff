package dev.robin.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.synthetic.SyntheticTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window technique against a byte-level decoder (GPT-2 style: every token is some bytes, decoded
 * lossily as a whole), where tokens split characters anywhere, and where models emit invalid UTF-8.
 *
 * <p>The hold-back bound for one byte per token (what these tests check): a character or invalid sequence
 * spans at most 4 bytes, so once 3 tokens follow a cut, everything begun before it is final. After a push
 * that returned text, either the window ended on a whole character, and at the latest the 4th push
 * releases the next text (its cut has 3 tokens after it and a new sequence before it); or it was cut
 * after 3 tokens, and the next push does; or it was cut inside an invalid sequence of at most 3 bytes
 * (the latest cut was not at its end, so its end lies at most 2 tokens before that push), and at the
 * latest the 3rd push does. A valid character that completes before then ends the text, which is then
 * released whole. So no more than 3 pushes in a row return nothing, and the text of token i is out once
 * token i+3 is pushed.
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

  /** Pushes in a row that may return nothing when every token is one byte: see the class comment. */
  private static final int MAX_EMPTY_PUSHES = 3;

  /** Token i is {@code table.get(i)}, any bytes, as a byte-level BPE vocabulary has. */
  private static final class ByteVocabulary {
    final List<byte[]> table = new ArrayList<>();

    int[] add(List<byte[]> pieces) {
      int[] ids = new int[pieces.size()];
      for (int i = 0; i < ids.length; i++) {
        table.add(pieces.get(i));
        ids[i] = table.size() - 1;
      }
      return ids;
    }

    String decode(int[] ids, int from, int to) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = from; i < to; i++) {
        out.writeBytes(table.get(ids[i]));
      }
      return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    WindowedDetokenizer detokenizer() {
      return new WindowedDetokenizer(this::decode, id -> false, id -> false, new int[0]);
    }
  }

  private static int[] singleByteIds(byte[] bytes) {
    int[] ids = new int[bytes.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    return ids;
  }

  @Test
  void loneContinuationBytesStreamOneReplacementPerTokenAfterThree() {
    WindowedDetokenizer d = detokenizer();
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      pieces.add(d.push(0x80));
    }
    pieces.add(d.flush());
    // Before, nothing came out until MAX_INCOMPLETE tokens had piled up.
    assertEquals(List.of("", "", ""), pieces.subList(0, 3));
    for (String piece : pieces.subList(3, pieces.size() - 1)) {
      assertEquals("\uFFFD", piece);
    }
    assertEquals("\uFFFD".repeat(3), pieces.get(pieces.size() - 1));
  }

  @Test
  void aCharacterCutShortIsReleasedOnceItCanNoLongerComplete() {
    WindowedDetokenizer d = detokenizer();
    List<String> pieces = new ArrayList<>();
    // A, the first 3 bytes of an emoji, then a 4-byte lead that ends it invalid, then B.
    for (int b : new int[] {'A', 0xF0, 0x9F, 0x98, 0xF0, 'B', 0xF4, 'C'}) {
      pieces.add(d.push(b));
    }
    pieces.add(d.flush());
    // The cut emoji is one U+FFFD (as a one-shot decode has it), out with the 4th byte after A.
    assertEquals(List.of("A", "", "", "", "\uFFFD", "\uFFFDB", "", "\uFFFDC", ""), pieces);
  }

  @Test
  void invalidBytesNeverHoldTextBackLongerThanThreeTokens() {
    SplittableRandom random = new SplittableRandom(17);
    int longestWait = 0;
    for (int round = 0; round < 2000; round++) {
      int[] ids = singleByteIds(RandomUtf8.messyBytes(random, random.nextInt(1, 200)));
      String oneShot = decodeBytes(ids, 0, ids.length);
      WindowedDetokenizer d = detokenizer();
      StringBuilder streamed = new StringBuilder();
      int emptyInARow = 0;
      for (int i = 0; i < ids.length; i++) {
        String piece = d.push(ids[i]);
        streamed.append(piece);
        emptyInARow = piece.isEmpty() ? emptyInARow + 1 : 0;
        longestWait = Math.max(longestWait, emptyInARow);
        String context = "round " + round + " after token " + i + " of " + java.util.Arrays.toString(ids);
        assertTrue(emptyInARow <= MAX_EMPTY_PUSHES, context);
        assertTrue(oneShot.startsWith(streamed.toString()), "streamed text that a one-shot decode lacks, " + context);
        // Every character begun at token i-3 or before is out (cut there, it decodes to one char at least).
        if (i >= 3) {
          assertTrue(streamed.length() >= decodeBytes(ids, 0, i - 2).length(), "held back, " + context);
        }
      }
      assertEquals(oneShot, streamed.append(d.flush()).toString());
    }
    assertEquals(MAX_EMPTY_PUSHES, longestWait, "the bound is reached, so it is the tight one");
  }

  @Test
  void validTextSplitAnywhereNeverStreamsReplacementCharacters() {
    SplittableRandom random = new SplittableRandom(23);
    for (int round = 0; round < 2000; round++) {
      String text = RandomUtf8.validText(random, random.nextInt(1, 40));
      ByteVocabulary vocabulary = new ByteVocabulary();
      int[] ids = vocabulary.add(RandomUtf8.split(random, text.getBytes(StandardCharsets.UTF_8), 4));
      WindowedDetokenizer d = vocabulary.detokenizer();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        String piece = d.push(id);
        assertFalse(piece.contains("\uFFFD"), "streamed U+FFFD for " + text);
        streamed.append(piece);
      }
      String rest = d.flush();
      assertFalse(rest.contains("\uFFFD"));
      assertEquals(text, streamed.append(rest).toString());
    }
  }

  @Test
  void randomMultiByteTokensStreamTheOneShotDecodeReplacementsIncluded() {
    SplittableRandom random = new SplittableRandom(29);
    for (int round = 0; round < 2000; round++) {
      ByteVocabulary vocabulary = new ByteVocabulary();
      byte[] bytes = RandomUtf8.messyBytes(random, random.nextInt(1, 200));
      int[] ids = vocabulary.add(RandomUtf8.split(random, bytes, 4));
      String oneShot = vocabulary.decode(ids, 0, ids.length);
      WindowedDetokenizer d = vocabulary.detokenizer();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        streamed.append(d.push(id));
        assertTrue(oneShot.startsWith(streamed.toString()), "round " + round);
      }
      assertEquals(oneShot, streamed.append(d.flush()).toString(), "round " + round);
    }
  }

  @Test
  void tokensWithoutBytesDoNotSettleAnything() {
    ByteVocabulary vocabulary = new ByteVocabulary();
    // An emoji's first two bytes, three tokens that decode to nothing (ids past a tokenizer's vocabulary
    // do), then the rest of the emoji: a release counting the empty tokens would stream U+FFFD.
    byte[] none = new byte[0];
    int[] ids = vocabulary.add(List.of(new byte[] {(byte) 0xF0}, new byte[] {(byte) 0x9F}, none, none, none,
        new byte[] {(byte) 0x98}, new byte[] {(byte) 0x80}));
    WindowedDetokenizer d = vocabulary.detokenizer();
    StringBuilder streamed = new StringBuilder();
    for (int id : ids) {
      streamed.append(d.push(id));
    }
    assertEquals("😀", streamed.toString());
    assertEquals("", d.flush());
  }

  private static boolean wholeCharacters(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void aRandomModelOverTheSyntheticVocabularyStreamsEveryFewTokens(@TempDir Path dir) throws IOException {
    SyntheticTokenizer.get().writeTo(dir);
    try (HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(dir)) {
      // The bound's premise: every token is one byte or whole characters, so a stream can only stall on
      // single-byte tokens, as in the proof.
      for (int id = 0; id < tokenizer.vocabSize(); id++) {
        byte[] bytes = tokenizer.tokenBytes(id);
        assertTrue(tokenizer.isSpecial(id) || bytes.length == 1 || wholeCharacters(bytes), "token " + id);
      }
      SplittableRandom random = new SplittableRandom(37);
      int[] ids = new int[4096]; // a benchmark's generation by a model with random weights: uniform ids
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(SyntheticTokenizer.IM_END_ID + 1, tokenizer.vocabSize());
      }
      IncrementalDetokenizer d = tokenizer.newDetokenizer(new int[] {SyntheticTokenizer.BOS_ID});
      StringBuilder streamed = new StringBuilder();
      int emptyInARow = 0;
      for (int i = 0; i < ids.length; i++) {
        String piece = d.push(ids[i]);
        emptyInARow = piece.isEmpty() ? emptyInARow + 1 : 0;
        assertTrue(emptyInARow <= MAX_EMPTY_PUSHES, "held back after token " + i);
        streamed.append(piece);
      }
      assertEquals(tokenizer.decode(ids, true), streamed.append(d.flush()).toString());
    }
  }
}
