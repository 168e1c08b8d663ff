package dev.robin.engine.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Compiled grammars for one vocabulary (one model), keyed by the constraint's canonical text: a schema is
 * re-serialized compactly (key order kept, since property order is part of the grammar), so the same schema sent
 * with other whitespace compiles once. Least recently used entries beyond the capacity are dropped (their mask
 * caches with them). Thread-safe; a grammar being compiled by one thread is not compiled again by another.
 */
public final class GrammarCache {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TokenVocabularyBytes vocab;
  private final TokenTrie trie;
  private final int capacity;
  private final Map<String, CompiledGrammar> entries;
  private final Map<String, Object> locks = new java.util.concurrent.ConcurrentHashMap<>();
  private long compilations;

  public GrammarCache(TokenVocabularyBytes vocab, int capacity) {
    this.vocab = vocab;
    this.trie = new TokenTrie(vocab);
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** A JSON document valid against {@code schemaJson}. */
  public CompiledGrammar jsonSchema(String schemaJson) {
    String canonical;
    try {
      JsonNode node = JSON.readTree(schemaJson);
      if (node == null) {
        throw new GrammarException("the JSON Schema is empty");
      }
      canonical = JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new GrammarException("the JSON Schema is not valid JSON: " + e.getMessage(), e);
    }
    return get("schema:" + canonical, () -> Grammar.jsonSchema(canonical));
  }

  /** Any JSON object. */
  public CompiledGrammar jsonObject() {
    return get("json_object", Grammar::jsonObject);
  }

  /** A text matching {@code regex} as a whole. */
  public CompiledGrammar regex(String regex) {
    return get("regex:" + regex, () -> Grammar.regex(regex));
  }

  /** One of {@code choices}. */
  public CompiledGrammar choice(List<String> choices) {
    String key;
    try {
      key = "choice:" + JSON.writeValueAsString(choices);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return get(key, () -> Grammar.choice(choices));
  }

  /** How many grammars were compiled (cache misses) so far. */
  public synchronized long compilations() {
    return compilations;
  }

  public synchronized int size() {
    return entries.size();
  }

  private CompiledGrammar get(String key, Supplier<Grammar> compile) {
    synchronized (this) {
      CompiledGrammar g = entries.get(key);
      if (g != null) {
        return g;
      }
    }
    Object lock = locks.computeIfAbsent(key, k -> new Object());
    try {
      synchronized (lock) {
        synchronized (this) {
          CompiledGrammar g = entries.get(key);
          if (g != null) {
            return g;
          }
        }
        long t0 = System.nanoTime();
        Grammar grammar = compile.get();
        CompiledGrammar compiled = CompiledGrammar.of(grammar, vocab, trie, System.nanoTime() - t0);
        synchronized (this) {
          compilations++;
          entries.put(key, compiled);
          if (entries.size() > capacity) {
            String eldest = entries.keySet().iterator().next();
            entries.remove(eldest);
          }
        }
        return compiled;
      }
    } finally {
      locks.remove(key, lock);
    }
  }
}
