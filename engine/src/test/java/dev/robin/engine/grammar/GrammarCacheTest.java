package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A repeated constraint compiles once; compiled grammars and their masks are shared safely. */
class GrammarCacheTest {

  private static TokenVocabularyBytes smallVocab() {
    List<byte[]> t = new ArrayList<>();
    for (int b = 0; b < 128; b++) {
      t.add(new byte[] {(byte) b});
    }
    for (String s : List.of("{\"", "\":", "\",", "\"}", "true", "false", "null", "12", ", \"")) {
      t.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return TokenVocabularyBytes.of(t.size() + 1, t.toArray(new byte[0][]), t.size());
  }

  @Test
  void theSameSchemaWithOtherWhitespaceCompilesOnce() {
    GrammarCache cache = new GrammarCache(smallVocab(), 8);
    CompiledGrammar a = cache.jsonSchema("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}");
    CompiledGrammar b = cache.jsonSchema("{ \"type\" : \"object\",\n \"properties\": {\"x\": {\"type\": \"integer\"}} }");
    assertSame(a, b);
    assertEquals(1, cache.compilations());
    // Property order is part of the grammar: another order is another grammar.
    CompiledGrammar c = cache.jsonSchema("{\"properties\":{\"x\":{\"type\":\"integer\"}},\"type\":\"object\"}");
    assertNotSame(a, c);
    assertSame(cache.regex("a+"), cache.regex("a+"));
    assertSame(cache.choice(List.of("x", "y")), cache.choice(List.of("x", "y")));
    assertSame(cache.jsonObject(), cache.jsonObject());
    assertEquals(5, cache.compilations());
  }

  @Test
  void leastRecentlyUsedGrammarsAreDropped() {
    GrammarCache cache = new GrammarCache(smallVocab(), 2);
    CompiledGrammar a = cache.regex("a");
    cache.regex("b");
    cache.regex("a"); // a is now the most recent
    cache.regex("c"); // drops b
    assertEquals(2, cache.size());
    assertSame(a, cache.regex("a"));
    cache.regex("b"); // compiled again
    assertEquals(4, cache.compilations());
  }

  @Test
  void matchersOnManyThreadsShareOneGrammarAndAgree() throws Exception {
    GrammarCache cache = new GrammarCache(smallVocab(), 8);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          CompiledGrammar g = cache.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"boolean\"},"
              + "\"b\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}},\"required\":[\"a\",\"b\"]}");
          GrammarMatcher m = g.newMatcher();
          List<Long> masks = new ArrayList<>();
          for (String piece : List.of("{\"", "a", "\":", "true", ",", "\"", "b", "\":", "[", "12", "]", "}")) {
            long[] mask = m.newMask();
            m.fillMask(mask);
            masks.add(java.util.Arrays.hashCode(mask) & 0xFFFFFFFFL);
            assertTrue(m.acceptBytes(piece.getBytes(StandardCharsets.UTF_8)), piece);
          }
          assertTrue(m.canEnd());
          return masks;
        }));
      }
      List<Long> first = results.get(0).get();
      for (Future<List<Long>> f : results) {
        assertEquals(first, f.get());
      }
      assertEquals(1, cache.compilations());
    } finally {
      pool.shutdownNow();
    }
  }
}
