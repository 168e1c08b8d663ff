package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Tokens as exact byte strings: across grammar boundaries, partial UTF-8, stop-only positions. */
class TokenBytesTest {

  /** A vocabulary of the given token texts (ids in order, then the stop id last). */
  private static TokenVocabularyBytes vocab(List<byte[]> tokens) {
    byte[][] bytes = tokens.toArray(new byte[0][]);
    return TokenVocabularyBytes.of(tokens.size() + 1, bytes, tokens.size());
  }

  private static List<byte[]> texts(String... texts) {
    List<byte[]> out = new ArrayList<>();
    for (String t : texts) {
      out.add(t.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Set<Integer> allowed(GrammarMatcher m) {
    long[] mask = m.newMask();
    m.fillMask(mask);
    Set<Integer> ids = new TreeSet<>();
    for (int w = 0; w < mask.length; w++) {
      for (int b = 0; b < 64; b++) {
        if ((mask[w] & (1L << b)) != 0) {
          ids.add(w * 64 + b);
        }
      }
    }
    return ids;
  }

  @Test
  void aTokenMaySpanStringObjectAndArrayBoundaries() {
    //                      0    1    2    3     4        5    6    7     8    9    10
    List<byte[]> t = texts("[", "{", "\"", "a", "\":", "\"},{\"", "x", "\"}", "]", "}", "\"}]");
    CompiledGrammar g = CompiledGrammar.of(Grammar.jsonSchema("{\"type\":\"array\",\"items\":{\"type\":\"object\","
        + "\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]},\"minItems\":1}"), vocab(t));
    GrammarMatcher m = g.newMatcher();
    int stop = t.size();
    assertEquals(Set.of(0), allowed(m));
    for (int id : new int[] {0, 1, 2, 3, 4, 2, 6}) { // [{"a":"x
      assertTrue(m.accept(id), "token " + id);
    }
    // Inside the string: any text (brackets included), the quote alone, or a token closing string, object and
    // array at once; not a quote followed by a colon.
    assertEquals(Set.of(0, 1, 2, 3, 5, 6, 7, 8, 9, 10), allowed(m));
    assertTrue(m.accept(5)); // "},{"  — string, object, comma, next object and its key's quote in one token
    assertEquals(Set.of(3), allowed(m)); // only "a" may follow: the key is fixed
    for (int id : new int[] {3, 4, 2}) {
      assertTrue(m.accept(id));
    }
    assertFalse(m.accept(4), "a colon cannot follow a string value");
    assertTrue(m.accept(10)); // "}] closes string, object and array
    assertEquals(Set.of(stop), allowed(m));
    assertTrue(m.canEnd());
    assertTrue(m.accept(stop));
    assertTrue(m.isTerminated());
  }

  @Test
  void tokensMayHoldPartialUtf8Sequences() {
    byte[] e = "é".getBytes(StandardCharsets.UTF_8); // C3 A9
    byte[] check = "✓".getBytes(StandardCharsets.UTF_8); // E2 9C 93
    List<byte[]> t = new ArrayList<>();
    t.add(new byte[] {e[0]}); // 0: lead byte of é alone
    t.add(new byte[] {e[1]}); // 1: its continuation byte alone
    t.add(e); // 2: é
    t.add(new byte[] {check[0], check[1]}); // 3: first two bytes of ✓
    t.add(new byte[] {check[2], '"'}); // 4: last byte of ✓ and a closing quote
    t.add(new byte[] {e[1], check[0]}); // 5: end of é, start of ✓
    t.add("\"".getBytes(StandardCharsets.UTF_8)); // 6
    t.add(new byte[] {(byte) 0xFF}); // 7: never valid UTF-8
    t.add(new byte[] {(byte) 0xC0, (byte) 0xA9}); // 8: overlong encoding
    CompiledGrammar g = CompiledGrammar.of(Grammar.jsonSchema("{\"type\":\"string\",\"maxLength\":3}"), vocab(t));
    GrammarMatcher m = g.newMatcher();
    assertEquals(Set.of(6), allowed(m));
    assertTrue(m.accept(6));
    assertEquals(Set.of(0, 2, 3, 6), allowed(m)); // no lone continuation byte, no 0xFF, no overlong form
    assertTrue(m.accept(0));
    assertEquals(Set.of(1, 4, 5), allowed(m)); // only tokens starting with a continuation byte (C3 93 is Ó)
    assertTrue(m.accept(5)); // é done, ✓ begun
    assertFalse(m.allowsBytes(new byte[] {'"'}), "a quote cannot cut a character in half");
    assertEquals(Set.of(1), allowed(m)); // E2 A9 is a valid start; E2 93 " and E2 A9 E2 are not
    GrammarMatcher n = g.newMatcher();
    for (int id : new int[] {6, 2, 2, 3, 4}) { // "éé✓"
      assertTrue(n.accept(id), "token " + id);
    }
    assertEquals(Set.of(t.size()), allowed(n)); // three characters: only the stop token is left
    assertFalse(g.newMatcher().accept(7));
  }

  @Test
  void whereOnlyTheDocumentCanEndOnlyTheStopIdIsAllowed() {
    List<byte[]> t = texts("a", "b", "ab", "abc");
    CompiledGrammar g = CompiledGrammar.of(Grammar.choice(List.of("ab")), vocab(t));
    GrammarMatcher m = g.newMatcher();
    assertEquals(Set.of(0, 2), allowed(m));
    assertFalse(m.canEnd());
    assertFalse(m.accept(t.size()), "no stop before the document is complete");
    assertTrue(m.accept(2));
    assertEquals(Set.of(t.size()), allowed(m));
    assertFalse(m.accept(1));
    assertTrue(m.accept(t.size()));
    assertEquals(Set.of(t.size()), allowed(m)); // after termination: only the stop id
  }

  @Test
  void idsWithoutBytesAndIdsBeyondTheTokenizerAreNeverAllowed() {
    byte[][] bytes = {"a".getBytes(StandardCharsets.UTF_8), null, new byte[0]};
    TokenVocabularyBytes v = TokenVocabularyBytes.of(130, bytes, 3);
    GrammarMatcher m = CompiledGrammar.of(Grammar.regex("a*"), v).newMatcher();
    assertEquals(Set.of(0, 3), allowed(m));
    assertEquals(3, v.maskWords());
  }

  @Test
  void tokenizerPiecesBecomeBytes() {
    assertArrayEquals(" hello".getBytes(StandardCharsets.UTF_8), TokenVocabularyBytes.byteLevelPiece("Ġhello"));
    assertArrayEquals("\n".getBytes(StandardCharsets.UTF_8), TokenVocabularyBytes.byteLevelPiece("Ċ"));
    assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), TokenVocabularyBytes.byteLevelPiece("Ã©"));
    assertArrayEquals(new byte[] {0x41}, TokenVocabularyBytes.sentencePiece("<0x41>"));
    assertArrayEquals(new byte[] {(byte) 0xE2}, TokenVocabularyBytes.sentencePiece("<0xE2>"));
    assertArrayEquals(" hello".getBytes(StandardCharsets.UTF_8), TokenVocabularyBytes.sentencePiece("▁hello"));
  }

  @Test
  void byteFallbackTokensSpellCharactersByteByByte() {
    // A SentencePiece-style vocabulary: 256 byte-fallback tokens and a few pieces.
    List<byte[]> t = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      t.add(TokenVocabularyBytes.sentencePiece(String.format("<0x%02X>", b)));
    }
    t.add(TokenVocabularyBytes.sentencePiece("▁ja"));
    t.add(TokenVocabularyBytes.sentencePiece("ja"));
    GrammarMatcher m = CompiledGrammar.of(Grammar.regex("(ja|✓)+"), vocab(t)).newMatcher();
    assertEquals(Set.of((int) 'j', 0xE2, 257), allowed(m));
    assertTrue(m.accept(0xE2));
    assertEquals(Set.of(0x9C), allowed(m));
    assertTrue(m.accept(0x9C));
    assertTrue(m.accept(0x93));
    assertTrue(m.canEnd());
    assertTrue(allowed(m).containsAll(Set.of((int) 'j', 0xE2, 257, t.size())));
  }

  @Test
  void nestingUpToTheCapIsMaskedExactlyAndStopsThere() {
    //                      0        1    2     3    4     5    6
    List<byte[]> t = texts("{\"a\":", "[", "[[", "]", "]]", "1", "}");
    CompiledGrammar g = CompiledGrammar.of(Grammar.jsonObject(), vocab(t));
    GrammarMatcher m = g.newMatcher();
    assertTrue(m.accept(0));
    int depth = 0;
    while (true) {
      Set<Integer> mask = allowed(m);
      for (int id = 0; id < t.size(); id++) {
        assertEquals(m.allowsBytes(t.get(id)), mask.contains(id), "token " + id + " at depth " + depth);
      }
      if (!mask.contains(1)) {
        break;
      }
      assertTrue(m.accept(1));
      depth++;
      assertTrue(depth < 100, "nesting never capped");
    }
    assertFalse(m.accept(1), "the mask and accept agree at the cap");
    assertTrue(depth >= Pda.MAX_DEPTH - 2, "capped at " + depth);
    assertFalse(m.accept(5), "at the cap the innermost array can only be empty: an element is one call deeper");
    for (int i = 0; i < depth; i++) {
      assertTrue(m.accept(3), "closing level " + i);
    }
    assertTrue(m.accept(6));
    assertEquals(Set.of(t.size()), allowed(m));
  }

  @Test
  void hugeUpperBoundsAreGeneratedUpToACapAndHugeLowerBoundsRefused() {
    long t0 = System.nanoTime();
    Grammar items = Grammar.jsonSchema("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":100000}");
    Grammar chars = Grammar.jsonSchema("{\"type\":\"string\",\"maxLength\":50000}");
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "compiling took too long");
    String ones = "[" + "1,".repeat(JsonSchemaGrammar.MAX_ITEMS - 1) + "1]";
    assertTrue(items.matches(ones.getBytes(StandardCharsets.UTF_8)));
    assertFalse(items.matches(("[1," + ones.substring(1)).getBytes(StandardCharsets.UTF_8)));
    String text = "\"" + "x".repeat(JsonSchemaGrammar.MAX_LENGTH) + "\"";
    assertTrue(chars.matches(text.getBytes(StandardCharsets.UTF_8)));
    assertFalse(chars.matches(("\"x" + text.substring(1)).getBytes(StandardCharsets.UTF_8)));
    UnsupportedSchemaException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedSchemaException.class,
        () -> Grammar.jsonSchema("{\"type\":\"array\",\"minItems\":500}"));
    assertEquals("minItems", e.keyword());
  }
}
