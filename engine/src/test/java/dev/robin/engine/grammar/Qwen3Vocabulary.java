package dev.robin.engine.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Qwen3's real vocabulary as a grammar sees it: {@code tokenizer.json}'s byte-level BPE pieces mapped to bytes,
 * every added token (specials such as {@code <|im_start|>}, and {@code <think>}, {@code <tool_call>}) never
 * allowed, {@code <|im_end|>} and {@code <|endoftext|>} the stop ids, 151,936 logits as the model has.
 */
final class Qwen3Vocabulary {

  static final int LOGITS = 151_936;
  static final int IM_END = 151_645;
  static final int END_OF_TEXT = 151_643;

  private static TokenVocabularyBytes vocab;
  private static GrammarCache cache;
  private static String[] pieces;

  private Qwen3Vocabulary() {}

  static synchronized TokenVocabularyBytes get() {
    if (vocab == null) {
      load();
    }
    return vocab;
  }

  /** One cache for all grammar tests: the trie is built once. */
  static synchronized GrammarCache cache() {
    if (cache == null) {
      long t0 = System.nanoTime();
      cache = new GrammarCache(get(), 1000);
      System.out.printf("qwen3 token trie built in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    }
    return cache;
  }

  static synchronized String piece(int id) {
    get();
    return id < pieces.length ? pieces[id] : null;
  }

  private static void load() {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(TestModels.qwen3Tokenizer().resolve("tokenizer.json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[][] bytes = new byte[LOGITS][];
    pieces = new String[LOGITS];
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("model").path("vocab").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int id = e.getValue().asInt();
      pieces[id] = e.getKey();
      bytes[id] = TokenVocabularyBytes.byteLevelPiece(e.getKey());
      if (bytes[id] == null) {
        throw new AssertionError("not a byte-level piece: " + e.getKey());
      }
    }
    for (JsonNode t : root.path("added_tokens")) {
      int id = t.path("id").asInt();
      pieces[id] = t.path("content").asText();
      bytes[id] = null; // control tokens: never text the grammar allows
    }
    vocab = TokenVocabularyBytes.of(LOGITS, bytes, IM_END, END_OF_TEXT);
  }
}
