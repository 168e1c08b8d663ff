package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cached masks against brute force on Qwen3's real vocabulary: at many positions of randomly generated
 * documents, a token is in the mask exactly when reading its bytes one by one from the matcher's state succeeds.
 * Covers the recursive grammars, where masks hold context-dependent tokens resolved against the stack.
 */
class MaskExactnessTest {

  private static void crossCheck(String name, CompiledGrammar g, long seed, int documents) {
    TokenVocabularyBytes vocab = g.vocabulary();
    Random random = new Random(seed);
    int positions = 0;
    long dependentChecks = 0;
    for (int d = 0; d < documents; d++) {
      // Walk a random document (the driver's choices), checking every few positions on a twin matcher.
      RandomDriver driver = new RandomDriver(seed + d, 0.3, 4000, new RandomDriver.LongSamples());
      byte[] doc = driver.generate(g);
      GrammarMatcher m = g.newMatcher();
      long[] mask = m.newMask();
      int i = 0;
      while (i < doc.length) {
        if (random.nextInt(4) == 0) {
          m.fillMask(mask);
          dependentChecks += m.lastDependentChecks();
          for (int id = 0; id < vocab.size(); id++) {
            boolean inMask = (mask[id >>> 6] & (1L << id)) != 0;
            boolean expected = vocab.isStop(id) ? m.canEnd() : m.allowsBytes(vocab.bytesOf(id));
            if (inMask != expected) {
              throw new AssertionError(name + ": token " + id + " '" + Qwen3Vocabulary.piece(id) + "' in mask "
                  + inMask + ", by bytes " + expected + " after '"
                  + new String(doc, 0, i, StandardCharsets.UTF_8) + "'");
            }
          }
          positions++;
        }
        // Advance by one random byte-run of the document (1..4 bytes), as tokens would.
        int len = Math.min(doc.length - i, 1 + random.nextInt(4));
        byte[] piece = java.util.Arrays.copyOfRange(doc, i, i + len);
        assertTrue(m.acceptBytes(piece));
        i += len;
      }
      assertTrue(m.canEnd());
    }
    System.out.printf("mask exactness %-14s %4d positions checked against all %d tokens, %d dependent-token"
        + " checks%n", name, positions, vocab.size(), dependentChecks);
    assertTrue(positions > 20);
  }

  @Test
  void jsonObjectMasksEqualBruteForce() {
    crossCheck("json_object", Qwen3Vocabulary.cache().jsonObject(), 1, 6);
  }

  @Test
  void recursiveSchemaMasksEqualBruteForce() {
    String schema = RandomSchemas.json(RandomSchemas.all().get("recursive-tree"));
    crossCheck("recursive-tree", Qwen3Vocabulary.cache().jsonSchema(schema), 2, 8);
  }

  @Test
  void ambiguousAnyOfMasksEqualBruteForce() {
    // Two branches that share a long prefix: the matcher tracks both stacks until they part.
    String schema = "{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{"
        + "\"type\":\"string\",\"maxLength\":4}},\"required\":[\"a\",\"b\"]},{\"type\":\"object\",\"properties\":{"
        + "\"a\":{\"type\":\"number\"},\"c\":{\"$ref\":\"#\"}},\"required\":[\"a\"]}]}";
    crossCheck("ambiguous", Qwen3Vocabulary.cache().jsonSchema(schema), 3, 8);
  }

  @Test
  void flatSchemaMasksEqualBruteForce() {
    String schema = RandomSchemas.json(RandomSchemas.all().get("number-ranges"));
    crossCheck("number-ranges", Qwen3Vocabulary.cache().jsonSchema(schema), 4, 4);
  }

  @Test
  void coldWalkCost() {
    TokenVocabularyBytes vocab = Qwen3Vocabulary.get();
    long t0 = System.nanoTime();
    TokenTrie trie = new TokenTrie(vocab);
    long trieNanos = System.nanoTime() - t0;
    Grammar g = Grammar.jsonSchema("{\"type\":\"string\"}");
    long[] mask = new long[vocab.maskWords()];
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 30; i++) { // a fresh mask cache each time: the first mask inside a string is a full walk
      GrammarMatcher m = CompiledGrammar.of(g, vocab, trie, 0).newMatcher();
      m.acceptBytes("\"".getBytes(StandardCharsets.UTF_8));
      long t1 = System.nanoTime();
      m.fillMask(mask);
      best = Math.min(best, System.nanoTime() - t1);
    }
    int allowed = 0;
    for (long w : mask) {
      allowed += Long.bitCount(w);
    }
    System.out.printf("token trie: %d tokens, %d nodes, built in %.0f ms; a cold mask inside a string"
        + " (%d tokens allowed) walks it in %.2f ms%n", trie.tokenCount(), trie.nodeCount(), trieNanos / 1e6,
        allowed, best / 1e6);
    assertTrue(allowed > 100_000);
    assertEquals(0, mask[Qwen3Vocabulary.IM_END >>> 6] & (1L << Qwen3Vocabulary.IM_END));
  }

  @Test
  void aVocabularyWithAVeryLongTokenBuildsAndMasks() {
    // A token of 100,000 bytes: the trie is as deep; building it must not recurse that deep.
    byte[] longToken = new byte[100_000];
    java.util.Arrays.fill(longToken, (byte) 'a');
    byte[][] bytes = {"a".getBytes(StandardCharsets.UTF_8), longToken, "\"".getBytes(StandardCharsets.UTF_8), null};
    TokenVocabularyBytes vocab = TokenVocabularyBytes.of(4, bytes, 3);
    TokenTrie trie = new TokenTrie(vocab);
    assertEquals(3, trie.tokenCount());
    GrammarMatcher m = CompiledGrammar.of(Grammar.regex("\"a{1,5}\""), vocab, trie, 0).newMatcher();
    m.acceptBytes("\"".getBytes(StandardCharsets.UTF_8));
    long[] mask = new long[vocab.maskWords()];
    m.fillMask(mask);
    assertEquals(0b0001L, mask[0], "only the one-byte token 'a' fits; the long one does not");
  }
}
