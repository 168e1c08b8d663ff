package dev.robin.engine.kvcache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Identity of a full KV block: 128 bits of SHA-256 over the parent block's hash and the block's token ids, so
 * equal hashes mean equal prefixes (not just equal blocks).
 *
 * <p>Why SHA-256 and not a fast 64-bit hash: sharing a block whose hash collides would silently attend to
 * another prompt's keys and values. A 128-bit slice of a cryptographic hash makes an accidental or crafted
 * collision practically impossible, and the pool additionally compares the block's own tokens on lookup,
 * which catches everything short of a SHA-256 collision in the parent chain. Hashing costs about a
 * microsecond per block of 16 tokens, once per block.
 */
public record BlockHash(long high, long low) {

  /** Hash of the empty prefix, the parent of every sequence's first block. */
  public static final BlockHash ROOT = new BlockHash(0L, 0L);

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(BlockHash::newDigest);

  /** Hashes {@code tokens[from, to)} chained after {@code parent}. */
  public static BlockHash of(BlockHash parent, int[] tokens, int from, int to) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    byte[] buffer = new byte[16 + 4 * (to - from)];
    putLong(buffer, 0, parent.high);
    putLong(buffer, 8, parent.low);
    for (int i = from; i < to; i++) {
      putInt(buffer, 16 + 4 * (i - from), tokens[i]);
    }
    byte[] d = digest.digest(buffer);
    return new BlockHash(readLong(d, 0), readLong(d, 8));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  private static void putLong(byte[] b, int at, long v) {
    putInt(b, at, (int) (v >>> 32));
    putInt(b, at + 4, (int) v);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static long readLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }
}
