package dev.robin.engine.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-character table, as the Hugging Face {@code ByteLevel} pre-tokenizer and decoder use it:
 * the 188 printable bytes stand for themselves, the other 68 (controls, space, and a few Latin-1 gaps) are
 * shifted to U+0100 and up in byte order, so a space becomes {@code Ġ} and a newline {@code Ċ}. Every byte
 * string thereby becomes a string of visible characters, and every UTF-8 text is encodable.
 */
public final class ByteLevelAlphabet {

  private static final char[] SYMBOL_OF_BYTE = buildTable();

  private ByteLevelAlphabet() {}

  private static char[] buildTable() {
    char[] table = new char[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      printable[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable[b] = true;
    }
    int next = 0;
    for (int b = 0; b < 256; b++) {
      table[b] = printable[b] ? (char) b : (char) (256 + next++);
    }
    return table;
  }

  /** The character that stands for byte {@code b} (0..255). */
  public static char symbolOf(int b) {
    return SYMBOL_OF_BYTE[b & 0xFF];
  }

  /** The byte-level form of {@code text}'s UTF-8 bytes, one character per byte. */
  public static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      sb.append(symbolOf(b));
    }
    return sb.toString();
  }
}
