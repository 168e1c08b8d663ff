package dev.robin.engine.tokenizer;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Incremental detokenization by decoding a small window, the prefix-offset/read-offset technique of
 * vLLM and TGI: {@code prefixText} is the decoding of the tokens already emitted in the window
 * ({@code [prefixOffset, readOffset)}), and each new token decodes {@code [prefixOffset, end)}; whatever
 * extends past {@code prefixText} is new text. Decoding both sides from the same start keeps decoder
 * quirks (a stripped leading space, byte-fallback merging) identical, and text ending in U+FFFD is held
 * back because its last character is still incomplete (a byte token or byte-level piece cut it).
 *
 * <p>Byte-fallback decoders turn a whole run of byte tokens into U+FFFD when any byte of the run is
 * invalid, so a later byte can change earlier text; text is therefore also held while the window ends in
 * such a byte token (up to {@link #MAX_PENDING} tokens, then released at a character boundary).
 *
 * <p>Special tokens are dropped before decoding, as a one-shot decode skipping them does; so for valid
 * UTF-8 the concatenated output equals that one-shot decode. Cost per token: one or two decodes of a few
 * tokens.
 */
public final class WindowedDetokenizer implements IncrementalDetokenizer {

  /** Decodes ids {@code [from, to)} of {@code ids}, none of them special. */
  @FunctionalInterface
  public interface WindowDecoder {
    String decode(int[] ids, int from, int to);
  }

  /** Prompt tokens kept before the first generated one, like vLLM's initial offset. */
  static final int CONTEXT_TOKENS = 5;
  /** Held-back tokens after which a run of byte tokens is released at a character boundary. */
  static final int MAX_PENDING = 16;
  /**
   * Held-back tokens after which text is released even if it still ends in U+FFFD: no valid character
   * needs this many tokens, so the bytes are invalid and waiting would only grow the window.
   */
  static final int MAX_INCOMPLETE = 64;
  private static final char REPLACEMENT = '\uFFFD';

  private final WindowDecoder decoder;
  private final IntPredicate special;
  private final IntPredicate byteToken;
  private int[] ids = new int[64];
  private int size;
  private int prefixOffset;
  private int readOffset;
  private String prefixText; // decoding of [prefixOffset, readOffset); null until needed

  /**
   * @param context the prompt's tokens: the text of the first generated tokens depends on them (e.g. a
   *     leading space a decoder strips only at the start of a sequence); empty for none
   * @param byteToken byte-fallback tokens ({@code <0xE2>}), whose run decodes as a whole
   */
  public WindowedDetokenizer(WindowDecoder decoder, IntPredicate special, IntPredicate byteToken, int[] context) {
    this.decoder = decoder;
    this.special = special;
    this.byteToken = byteToken;
    int kept = 0;
    int[] tail = new int[CONTEXT_TOKENS + 3];
    for (int i = context.length - 1; i >= 0 && kept < tail.length; i--) {
      if (!special.test(context[i])) {
        tail[tail.length - 1 - kept++] = context[i];
      }
    }
    for (int i = tail.length - kept; i < tail.length; i++) {
      append(tail[i]);
    }
    readOffset = size;
    prefixOffset = Math.max(0, size - CONTEXT_TOKENS);
    // Start the window on a whole character, never inside one a byte token began earlier.
    while (prefixOffset < readOffset && startsIncomplete(decoder.decode(ids, prefixOffset, readOffset))) {
      prefixOffset++;
    }
  }

  @Override
  public String push(int tokenId) {
    if (special.test(tokenId)) {
      return "";
    }
    append(tokenId);
    String prefix = prefix();
    String full = decoder.decode(ids, prefixOffset, size);
    boolean grew = full.length() > prefix.length();
    boolean incomplete = !full.isEmpty() && full.charAt(full.length() - 1) == REPLACEMENT;
    int pending = size - readOffset;
    boolean inByteRun = byteToken.test(tokenId) && pending < MAX_PENDING;
    if (!grew || inByteRun || (incomplete && pending < MAX_INCOMPLETE)) {
      return "";
    }
    return emit(full, prefix);
  }

  @Override
  public String flush() {
    if (readOffset == size) {
      return "";
    }
    String prefix = prefix();
    String full = decoder.decode(ids, prefixOffset, size);
    if (full.length() <= prefix.length()) {
      readOffset = size;
      prefixText = null;
      return "";
    }
    return emit(full, prefix);
  }

  private String emit(String full, String prefix) {
    String text = full.substring(prefix.length());
    prefixOffset = readOffset;
    readOffset = size;
    prefixText = null;
    compact();
    return text;
  }

  private String prefix() {
    if (prefixText == null) {
      prefixText = prefixOffset == readOffset ? "" : decoder.decode(ids, prefixOffset, readOffset);
    }
    return prefixText;
  }

  private void append(int id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
  }

  /** Drops ids before the window so a long generation does not keep every id. */
  private void compact() {
    if (prefixOffset >= 1024) {
      System.arraycopy(ids, prefixOffset, ids, 0, size - prefixOffset);
      size -= prefixOffset;
      readOffset -= prefixOffset;
      prefixOffset = 0;
    }
  }

  private static boolean startsIncomplete(String text) {
    return !text.isEmpty() && text.charAt(0) == REPLACEMENT;
  }
}
