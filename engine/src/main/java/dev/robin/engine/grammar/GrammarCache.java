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
  private long hits;

  /**
   * Told, on the calling thread, how each lookup went: a hit, or a compilation and how long it took. Lets an engine
   * count its own lookups when several share the cache.
   */
  public interface Observer {

    /** Ignores every lookup. */
    Observer NONE = new Observer() {
      @Override
      public void hit() {}

      @Override
      public void compiled(long nanos) {}
    };

    /** The grammar was in the cache (or compiled meanwhile by another thread). */
    void hit();

    /** The grammar was compiled by this lookup, in {@code nanos}. */
    void compiled(long nanos);
  }

  public GrammarCache(TokenVocabularyBytes vocab, int capacity) {
    this.vocab = vocab;
    this.trie = new TokenTrie(vocab);
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** A JSON document valid against {@code schemaJson}. */
  public CompiledGrammar jsonSchema(String schemaJson) {
    return jsonSchema(schemaJson, Observer.NONE);
  }

  /** As {@link #jsonSchema(String)}, telling {@code observer} whether it compiled. */
  public CompiledGrammar jsonSchema(String schemaJson, Observer observer) {
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
    return get("schema:" + canonical, () -> Grammar.jsonSchema(canonical), observer);
  }

  /** Any JSON object. */
  public CompiledGrammar jsonObject() {
    return jsonObject(Observer.NONE);
  }

  public CompiledGrammar jsonObject(Observer observer) {
    return get("json_object", Grammar::jsonObject, observer);
  }

  /** A text matching {@code regex} as a whole. */
  public CompiledGrammar regex(String regex) {
    return regex(regex, Observer.NONE);
  }

  public CompiledGrammar regex(String regex, Observer observer) {
    return get("regex:" + regex, () -> Grammar.regex(regex), observer);
  }

  /** One of {@code choices}. */
  public CompiledGrammar choice(List<String> choices) {
    return choice(choices, Observer.NONE);
  }

  public CompiledGrammar choice(List<String> choices, Observer observer) {
    String key;
    try {
      key = "choice:" + JSON.writeValueAsString(choices);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return get(key, () -> Grammar.choice(choices), observer);
  }

  /** How many grammars were compiled (cache misses) so far. */
  public synchronized long compilations() {
    return compilations;
  }

  /** How many lookups found their grammar compiled (cache hits) so far. */
  public synchronized long hits() {
    return hits;
  }

  public synchronized int size() {
    return entries.size();
  }

  private CompiledGrammar get(String key, Supplier<Grammar> compile, Observer observer) {
    CompiledGrammar cached = cached(key);
    if (cached != null) {
      observer.hit();
      return cached;
    }
    Object lock = locks.computeIfAbsent(key, k -> new Object());
    try {
      synchronized (lock) {
        cached = cached(key);
        if (cached != null) {
          observer.hit();
          return cached;
        }
        long t0 = System.nanoTime();
        Grammar grammar = compile.get();
        long nanos = System.nanoTime() - t0;
        CompiledGrammar compiled = CompiledGrammar.of(grammar, vocab, trie, nanos);
        synchronized (this) {
          compilations++;
          entries.put(key, compiled);
          if (entries.size() > capacity) {
            String eldest = entries.keySet().iterator().next();
            entries.remove(eldest);
          }
        }
        observer.compiled(nanos);
        return compiled;
      }
    } finally {
      locks.remove(key, lock);
    }
  }

  /** The cached grammar of {@code key}, counted as a hit; null when it is not cached. */
  private synchronized CompiledGrammar cached(String key) {
    CompiledGrammar g = entries.get(key);
    if (g != null) {
      hits++;
    }
    return g;
  }
}
