package dev.robin.engine.tokenizer;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Incremental detokenization by decoding a small window, the prefix-offset/read-offset technique of
 * vLLM and TGI: {@code prefixText} is the decoding of the tokens already emitted in the window
 * ({@code [prefixOffset, readOffset)}), and each new token decodes {@code [prefixOffset, end)}; whatever
 * extends past {@code prefixText} is new text. Decoding both sides from the same start keeps decoder
 * quirks (a stripped leading space, byte-fallback merging) identical, and text ending in U+FFFD is held
 * back because its last character may still be incomplete (a byte token or byte-level piece cut it).
 *
 * <p>Models also emit invalid UTF-8 (random-weight benchmark models constantly, real ones sometimes), and
 * then the text may end in U+FFFD token after token; waiting for a complete ending would stall the stream
 * and then burst. But a character (or invalid sequence) spans at most 4 bytes, so once
 * {@value #SETTLING_TOKENS} tokens of at least one byte each follow a cut, every character begun before
 * the cut is final. The text up to the latest such cut is therefore released, provided it is a prefix of
 * the whole window's text (the cut must not turn a valid character into U+FFFD). With one byte per token
 * (and a context ending on a whole character) this bounds the hold-back: at most 3 pushes in a row
 * return nothing, and every character begun at a token is out when the third token after it arrives. {@link #MAX_INCOMPLETE} stays as a backstop for tokens that decode to
 * nothing alone and for pieces that cut valid characters at every boundary.
 *
 * <p>Byte-fallback decoders turn a whole run of byte tokens into U+FFFD when any byte of the run is
 * invalid, so a later byte can change earlier text; text is therefore also held while the window ends in
 * such a byte token (up to {@link #MAX_PENDING} tokens, then released at a character boundary), and the
 * settled-cut release above never applies inside such a run.
 *
 * <p>Special tokens are dropped before decoding, as a one-shot decode skipping them does; so for valid
 * UTF-8 the concatenated output equals that one-shot decode (and for invalid UTF-8 too, unless the
 * backstop fires). Cost per token: one or two decodes of a few tokens; while the text ends in U+FFFD,
 * typically two more (the new token alone, and the cut).
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
  /** Tokens of at least one byte each after which no character begun before them can change. */
  static final int SETTLING_TOKENS = 3;
  private static final char REPLACEMENT = '\uFFFD';

  private final WindowDecoder decoder;
  private final IntPredicate special;
  private final IntPredicate byteToken;
  private int[] ids = new int[64];
  private int size;
  private int prefixOffset;
  private int readOffset;
  private String prefixText; // decoding of [prefixOffset, readOffset); null until needed
  private int searchedTo; // settled cuts (readOffset, searchedTo] were rejected for this window, for good
  private int checkedTo; // tokens before this were decoded alone, to know they carry bytes
  private int lastEmpty = -1; // the last such token that decodes to nothing

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
    searchedTo = size;
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
    int pending = size - readOffset;
    boolean inByteRun = byteToken.test(tokenId) && pending < MAX_PENDING;
    if (full.length() <= prefix.length() || inByteRun) {
      return "";
    }
    boolean incomplete = full.charAt(full.length() - 1) == REPLACEMENT;
    if (incomplete && pending < MAX_INCOMPLETE) {
      return byteToken.test(tokenId) ? "" : releaseSettled(full, prefix);
    }
    return emit(full, prefix, size);
  }

  /**
   * The text of the window up to the latest cut that {@value #SETTLING_TOKENS} tokens follow, if each of
   * those carries a byte (so every character begun before the cut is final) and cutting there changes no
   * character: its decoding must extend the emitted text and begin the window's whole text (which also
   * rejects a cut that splits a valid byte-fallback run). A rejected cut stays rejected, since what it
   * was compared with is final, so each cut is decoded once.
   */
  private String releaseSettled(String full, String prefix) {
    int latest = size - SETTLING_TOKENS;
    if (latest <= searchedTo || !lastTokensCarryBytes()) {
      return "";
    }
    for (int cut = latest; cut > searchedTo; cut--) {
      String settled = decoder.decode(ids, prefixOffset, cut);
      if (settled.length() > prefix.length() && full.startsWith(settled)) {
        return emit(settled, prefix, cut);
      }
    }
    searchedTo = latest;
    return "";
  }

  private boolean lastTokensCarryBytes() {
    for (int i = Math.max(checkedTo, size - SETTLING_TOKENS); i < size; i++) {
      if (decoder.decode(ids, i, i + 1).isEmpty()) {
        lastEmpty = i;
      }
    }
    checkedTo = size;
    return lastEmpty < size - SETTLING_TOKENS;
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
      searchedTo = size;
      prefixText = null;
      return "";
    }
    return emit(full, prefix, size);
  }

  /** Emits {@code text} (the decoding of {@code [prefixOffset, end)}) past the prefix; the window moves on. */
  private String emit(String text, String prefix, int end) {
    String out = text.substring(prefix.length());
    prefixOffset = readOffset;
    readOffset = end;
    searchedTo = end;
    prefixText = null;
    compact();
    return out;
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
      searchedTo -= prefixOffset;
      checkedTo -= prefixOffset;
      lastEmpty -= prefixOffset;
      prefixOffset = 0;
    }
  }

  private static boolean startsIncomplete(String text) {
    return !text.isEmpty() && text.charAt(0) == REPLACEMENT;
  }
}
