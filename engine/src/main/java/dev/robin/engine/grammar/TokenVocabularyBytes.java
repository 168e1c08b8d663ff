package dev.robin.engine.grammar;

import dev.robin.engine.tokenizer.ByteLevelAlphabet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes each token id writes into the text, as a grammar sees a vocabulary. {@link #size()} is the number of
 * logits (it may exceed the tokenizer's ids); ids without bytes (special and control tokens, padding ids, ids
 * whose bytes are empty) are never allowed by a grammar. The stop ids (EOS, end of turn) are allowed exactly where
 * the document may end. Immutable; build one per model and share it.
 *
 * <p>The static helpers turn a tokenizer's pieces into bytes: GPT-2 byte-level BPE ({@code Ġ} for a space, one
 * character per byte) and SentencePiece ({@code ▁} for a space, byte-fallback pieces {@code <0x41>}).
 */
public final class TokenVocabularyBytes {

  private static final char METASPACE = '\u2581';
  private static final int[] BYTE_OF_SYMBOL = byteLevelInverse();

  private final byte[][] bytes;
  private final int[] stopIds;

  private TokenVocabularyBytes(byte[][] bytes, int[] stopIds) {
    this.bytes = bytes;
    this.stopIds = stopIds;
  }

  /**
   * A vocabulary of {@code size} ids.
   *
   * @param bytesById each id's bytes, null for ids never allowed (special tokens); copied
   * @param stopIds the ids that end a document (EOS); they never count as text
   */
  public static TokenVocabularyBytes of(int size, byte[][] bytesById, int... stopIds) {
    if (bytesById.length > size) {
      throw new IllegalArgumentException("more token bytes (" + bytesById.length + ") than ids (" + size + ")");
    }
    byte[][] copy = new byte[size][];
    for (int i = 0; i < bytesById.length; i++) {
      copy[i] = bytesById[i] == null || bytesById[i].length == 0 ? null : bytesById[i].clone();
    }
    for (int id : stopIds) {
      if (id < 0 || id >= size) {
        throw new IllegalArgumentException("stop id " + id + " outside the vocabulary of " + size);
      }
      copy[id] = null;
    }
    return new TokenVocabularyBytes(copy, stopIds.clone());
  }

  /** Number of ids (logits). */
  public int size() {
    return bytes.length;
  }

  /** Number of longs in a mask over this vocabulary. */
  public int maskWords() {
    return (bytes.length + 63) >>> 6;
  }

  /** The bytes of {@code id}, or null if a grammar never allows it. Do not modify. */
  byte[] bytesOf(int id) {
    return id < 0 || id >= bytes.length ? null : bytes[id];
  }

  /** A copy of the bytes of {@code id}, or null. */
  public byte[] bytes(int id) {
    byte[] b = bytesOf(id);
    return b == null ? null : b.clone();
  }

  public int[] stopIds() {
    return stopIds.clone();
  }

  boolean isStop(int id) {
    for (int s : stopIds) {
      if (s == id) {
        return true;
      }
    }
    return false;
  }

  int[] stopIdsShared() {
    return stopIds;
  }

  /** The bytes of a GPT-2 byte-level BPE piece ({@code Ġhello} → {@code " hello"}); null if not byte-level. */
  public static byte[] byteLevelPiece(String piece) {
    byte[] out = new byte[piece.length()];
    for (int i = 0; i < piece.length(); i++) {
      char c = piece.charAt(i);
      int b = c < BYTE_OF_SYMBOL.length ? BYTE_OF_SYMBOL[c] : -1;
      if (b < 0) {
        return null;
      }
      out[i] = (byte) b;
    }
    return out;
  }

  /**
   * The bytes of a SentencePiece piece: {@code ▁} is a space, a byte-fallback piece {@code <0xE2>} is that one
   * byte, anything else its UTF-8.
   */
  public static byte[] sentencePiece(String piece) {
    if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
      int hi = Character.digit(piece.charAt(3), 16);
      int lo = Character.digit(piece.charAt(4), 16);
      if (hi >= 0 && lo >= 0) {
        return new byte[] {(byte) (hi * 16 + lo)};
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] utf8 = piece.replace(METASPACE, ' ').getBytes(StandardCharsets.UTF_8);
    out.write(utf8, 0, utf8.length);
    return out.toByteArray();
  }

  private static int[] byteLevelInverse() {
    int[] inverse = new int[512];
    Arrays.fill(inverse, -1);
    for (int b = 0; b < 256; b++) {
      inverse[ByteLevelAlphabet.symbolOf(b)] = b;
    }
    return inverse;
  }
}
