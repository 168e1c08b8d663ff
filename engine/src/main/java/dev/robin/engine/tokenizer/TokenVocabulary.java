package dev.robin.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.config.ModelLoadException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The pieces of a {@code tokenizer.json} by id, to show single tokens (log-probabilities) the way the
 * decoder would: SentencePiece-style {@code ▁} and {@code <0xE2>} byte tokens, or GPT-2 byte-level
 * characters. DJL does not expose id-to-token, hence this small reader.
 */
final class TokenVocabulary {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final char METASPACE = '\u2581';

  private final String[] pieces;
  private final Set<Integer> addedIds;
  private final Set<Integer> specialIds;
  private final boolean byteLevel;
  private final boolean byteFallback;
  private final Map<Character, Integer> byteLevelDecode;

  private TokenVocabulary(
      String[] pieces, Set<Integer> addedIds, Set<Integer> specialIds, boolean byteLevel, boolean byteFallback) {
    this.byteFallback = byteFallback;
    this.pieces = pieces;
    this.addedIds = addedIds;
    this.specialIds = specialIds;
    this.byteLevel = byteLevel;
    this.byteLevelDecode = byteLevel ? byteLevelTable() : Map.of();
  }

  static TokenVocabulary read(Path tokenizerJson) {
    JsonNode root;
    try {
      root = JSON.readTree(tokenizerJson.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(tokenizerJson + " cannot be read: " + e.getMessage(), e);
    }
    Map<Integer, String> byId = new HashMap<>();
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) { // BPE, WordPiece, WordLevel: {"piece": id}
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        byId.put(e.getValue().asInt(), e.getKey());
      }
    } else if (vocab.isArray()) { // Unigram: [["piece", score], ...], id = position
      for (int i = 0; i < vocab.size(); i++) {
        byId.put(i, vocab.get(i).path(0).asText());
      }
    }
    Set<Integer> added = new HashSet<>();
    Set<Integer> special = new HashSet<>();
    for (JsonNode t : root.path("added_tokens")) {
      int id = t.path("id").asInt(-1);
      if (id < 0) {
        continue;
      }
      byId.put(id, t.path("content").asText());
      added.add(id);
      if (t.path("special").asBoolean(false)) {
        special.add(id);
      }
    }
    if (byId.isEmpty()) {
      throw new ModelLoadException(tokenizerJson + " has no vocabulary (model.vocab)");
    }
    int size = byId.keySet().stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
    String[] pieces = new String[size];
    byId.forEach((id, piece) -> {
      if (id >= 0) {
        pieces[id] = piece;
      }
    });
    String decoder = root.path("decoder").toString();
    boolean byteLevel = decoder.contains("\"ByteLevel\"");
    boolean byteFallback = decoder.contains("\"ByteFallback\"");
    return new TokenVocabulary(pieces, Set.copyOf(added), Set.copyOf(special), byteLevel, byteFallback);
  }

  int size() {
    return pieces.length;
  }

  /** Whether {@code id} is one of {@code tokenizer.json}'s added tokens (matched as a whole, never merged). */
  boolean isAdded(int id) {
    return addedIds.contains(id);
  }

  /** Ids {@code tokenizer.json} marks as special added tokens. */
  Set<Integer> specialIds() {
    return specialIds;
  }

  /** Id of a token's exact text, or -1. */
  int idOf(String piece) {
    if (piece == null || piece.isEmpty()) {
      return -1;
    }
    for (int id : addedIds) {
      if (piece.equals(pieces[id])) {
        return id;
      }
    }
    for (int id = 0; id < pieces.length; id++) {
      if (piece.equals(pieces[id])) {
        return id;
      }
    }
    return -1;
  }

  /** Whether {@code id} is a byte-fallback token such as {@code <0xE2>} of a decoder that merges their runs. */
  boolean isFallbackByte(int id) {
    return byteFallback && !byteLevel && id >= 0 && id < pieces.length && !addedIds.contains(id)
        && isBytePiece(pieces[id]);
  }

  private static boolean isBytePiece(String piece) {
    return piece != null && piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")
        && Character.digit(piece.charAt(3), 16) >= 0 && Character.digit(piece.charAt(4), 16) >= 0;
  }

  /** The bytes a token contributes to text (added tokens: their content). */
  byte[] bytes(int id) {
    if (id < 0 || id >= pieces.length || pieces[id] == null) {
      return new byte[0];
    }
    String piece = pieces[id];
    if (addedIds.contains(id)) {
      return piece.getBytes(StandardCharsets.UTF_8);
    }
    if (byteLevel) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
      for (int i = 0; i < piece.length(); i++) {
        Integer b = byteLevelDecode.get(piece.charAt(i));
        if (b != null) {
          out.write(b);
        } else {
          byte[] raw = String.valueOf(piece.charAt(i)).getBytes(StandardCharsets.UTF_8);
          out.write(raw, 0, raw.length);
        }
      }
      return out.toByteArray();
    }
    if (isBytePiece(piece)) {
      return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
    }
    return piece.replace(METASPACE, ' ').getBytes(StandardCharsets.UTF_8);
  }

  /** GPT-2's byte-to-printable-character table, inverted. */
  private static Map<Character, Integer> byteLevelTable() {
    Map<Character, Integer> table = new HashMap<>();
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + extra++);
      table.put(c, b);
    }
    return table;
  }
}
