package dev.robin.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random text and bytes for the streaming property tests: valid characters of every length, and garbage. */
final class RandomUtf8 {

  private RandomUtf8() {}

  /** A code point of 1, 2, 3 or 4 UTF-8 bytes (no surrogate, no U+FFFD, which streams would report). */
  static int codePoint(SplittableRandom random) {
    while (true) {
      int cp = switch (random.nextInt(4)) {
        case 0 -> random.nextInt(0x20, 0x7F);
        case 1 -> random.nextInt(0x80, 0x800);
        case 2 -> random.nextInt(0x800, 0x10000);
        default -> random.nextInt(0x10000, 0x110000);
      };
      if (!Character.isSurrogate((char) cp) && cp != 0xFFFD) {
        return cp;
      }
    }
  }

  static String validText(SplittableRandom random, int codePoints) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < codePoints; i++) {
      text.appendCodePoint(codePoint(random));
    }
    return text.toString();
  }

  /**
   * About {@code length} bytes mixing whole characters, characters cut short, lone continuation bytes,
   * bytes that never occur in UTF-8 (C0, C1, F5..FF) and the leads with narrowed second bytes (E0, ED, F0,
   * F4): what a model with random weights emits over a byte-level vocabulary.
   */
  static byte[] messyBytes(SplittableRandom random, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] tricky = {0xC0, 0xC1, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF, 0x80, 0x9F, 0xA0, 0xBF};
    while (out.size() < length) {
      switch (random.nextInt(5)) {
        case 0 -> out.writeBytes(new String(Character.toChars(codePoint(random))).getBytes(StandardCharsets.UTF_8));
        case 1 -> {
          byte[] c = new String(Character.toChars(codePoint(random))).getBytes(StandardCharsets.UTF_8);
          out.write(c, 0, random.nextInt(1, Math.max(2, c.length)));
        }
        case 2 -> out.write(random.nextInt(0x80, 0xC0));
        case 3 -> out.write(tricky[random.nextInt(tricky.length)]);
        default -> out.write(random.nextInt(256));
      }
    }
    return out.toByteArray();
  }

  /** Cuts {@code bytes} into pieces of 1 to {@code maxPiece} bytes at random places. */
  static List<byte[]> split(SplittableRandom random, byte[] bytes, int maxPiece) {
    List<byte[]> pieces = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, random.nextInt(1, maxPiece + 1));
      byte[] piece = new byte[n];
      System.arraycopy(bytes, at, piece, 0, n);
      pieces.add(piece);
      at += n;
    }
    return pieces;
  }
}
