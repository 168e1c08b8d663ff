package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The languages grammars accept, byte string by byte string, with no vocabulary involved. */
class GrammarLanguageTest {

  private static boolean matches(Grammar g, String text) {
    return g.matches(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void regexMatchesWholeStrings() {
    Grammar g = Grammar.regex("^[a-z]+(\\.[a-z]+)*@[a-z]{2,5}\\.(com|org)$");
    assertTrue(matches(g, "ab.cd@xyz.com"));
    assertTrue(matches(g, "a@xy.org"));
    assertFalse(matches(g, "a@x.org"));
    assertFalse(matches(g, "a@xyz.co"));
    assertFalse(matches(g, "a@xyz.comm"));
    assertFalse(matches(g, ".a@xyz.com"));
  }

  @Test
  void regexEscapesClassesAndUnicode() {
    Grammar g = Grammar.regex("\\d{3}-\\w+\\s[^\\d]é.\\u00e9\\x41[\\-a-c\\]]?");
    assertTrue(matches(g, "123-a_Z9 xé✓éA"));
    assertTrue(matches(g, "123-a_Z9 xé✓éA-"));
    assertTrue(matches(g, "123-a_Z9 xé😀éA]"));
    assertFalse(matches(g, "123-a_Z9 5é✓éA"));
    assertFalse(matches(g, "123-a_Z9 xé\néA"));
  }

  @Test
  void choiceIsOneOfTheStrings() {
    Grammar g = Grammar.choice(List.of("yes", "no", "yes!", "über"));
    for (String s : List.of("yes", "no", "yes!", "über")) {
      assertTrue(matches(g, s), s);
    }
    assertFalse(matches(g, "ye"));
    assertFalse(matches(g, "nono"));
  }

  @Test
  void integerRangesAreExact() {
    int[][] ranges = {{-15, 123}, {0, 0}, {7, 1000}, {-1000, -7}, {-9, 9}, {99, 101}, {10, 19}};
    for (int[] r : ranges) {
      Grammar g = Grammar.jsonSchema("{\"type\":\"integer\",\"minimum\":" + r[0] + ",\"maximum\":" + r[1] + "}");
      for (int v = -1200; v <= 1200; v++) {
        assertEquals(v >= r[0] && v <= r[1], matches(g, Integer.toString(v)), v + " in " + r[0] + ".." + r[1]);
      }
      assertFalse(matches(g, "-0"));
      assertFalse(matches(g, "007"));
      assertFalse(matches(g, "1.0"));
    }
    Grammar open = Grammar.jsonSchema("{\"type\":\"integer\",\"exclusiveMinimum\":41}");
    assertFalse(matches(open, "41"));
    assertTrue(matches(open, "42"));
    assertTrue(matches(open, "123456789012345678901234567890"));
    assertFalse(matches(open, "-50"));
  }

  @Test
  void numberRangesAreExactForDecimalBounds() {
    String[][] cases = {
        {"-2.5", "false", "3.25", "true"},
        {"0", "true", "1", "false"},
        {"-1", "false", "-0.125", "false"},
        {"0.05", "false", "0.5", "true"},
        {"10", "false", null, null},
        {null, null, "-3", "true"},
    };
    String[] values = {"-4", "-3", "-3.0", "-2.9", "-2.5", "-2.50", "-2.49", "-1", "-1.0", "-0.5", "-0.125",
        "-0.1249", "-0.12", "0", "0.0", "0.001", "0.05", "0.049", "0.0500", "0.5", "0.4999", "0.50", "1", "1.0",
        "1.00001", "3.25", "3.2499", "3.250", "3.26", "9.99", "10", "10.5", "1e3", "-0"};
    for (String[] c : cases) {
      StringBuilder schema = new StringBuilder("{\"type\":\"number\"");
      if (c[0] != null) {
        schema.append(c[1].equals("true") ? ",\"exclusiveMinimum\":" : ",\"minimum\":").append(c[0]);
      }
      if (c[2] != null) {
        schema.append(c[3].equals("true") ? ",\"exclusiveMaximum\":" : ",\"maximum\":").append(c[2]);
      }
      Grammar g = Grammar.jsonSchema(schema.append('}').toString());
      for (String v : values) {
        BigDecimal x = new BigDecimal(v);
        boolean in = (c[0] == null || (c[1].equals("true") ? x.compareTo(new BigDecimal(c[0])) > 0
            : x.compareTo(new BigDecimal(c[0])) >= 0))
            && (c[2] == null || (c[3].equals("true") ? x.compareTo(new BigDecimal(c[2])) < 0
            : x.compareTo(new BigDecimal(c[2])) <= 0));
        boolean generable = in && !v.contains("e") && !v.equals("-0");
        assertEquals(generable, matches(g, v), v + " against " + schema);
      }
    }
  }

  @Test
  void datesHaveTheirMonthsDaysAndLeapYears() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"string\",\"format\":\"date\"}");
    for (int year : new int[] {1900, 1999, 2000, 2023, 2024, 2100, 2400}) {
      for (int month = 0; month <= 13; month++) {
        for (int day = 0; day <= 32; day++) {
          String s = String.format("%04d-%02d-%02d", year, month, day);
          boolean valid;
          try {
            LocalDate.parse(s);
            valid = true;
          } catch (DateTimeParseException e) {
            valid = false;
          }
          assertEquals(valid, matches(g, "\"" + s + "\""), s);
        }
      }
    }
  }

  @Test
  void objectsKeepPropertyOrderAndRequireRequired() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},"
        + "\"b\":{\"type\":\"string\"},\"c\":{\"type\":\"boolean\"}},\"required\":[\"b\"]}");
    assertTrue(matches(g, "{\"b\":\"x\"}"));
    assertTrue(matches(g, "{\"a\":1,\"b\":\"x\"}"));
    assertTrue(matches(g, "{\"a\": 1, \"b\": \"x\", \"c\": true}"));
    assertTrue(matches(g, "{\"b\":\"\",\"c\":false}"));
    assertFalse(matches(g, "{}"));
    assertFalse(matches(g, "{\"b\":\"x\",\"a\":1}"));
    assertFalse(matches(g, "{\"a\":1}"));
    assertFalse(matches(g, "{\"b\":\"x\",}"));
    assertFalse(matches(g, "{\"b\":\"x\",\"d\":1}"));
    assertFalse(matches(g, "{\"b\" : \"x\"}"));
    assertFalse(matches(g, "{\"b\":  \"x\"}"));
  }

  @Test
  void additionalPropertiesExcludeTheListedNames() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
        + "\"additionalProperties\":{\"type\":\"string\"}}");
    assertTrue(matches(g, "{\"a\":1,\"b\":\"x\",\"aa\":\"y\"}"));
    assertTrue(matches(g, "{\"b\":\"x\"}"));
    assertFalse(matches(g, "{\"a\":1,\"a\":\"x\"}"));
    assertFalse(matches(g, "{\"b\":1}"));
  }

  @Test
  void stringsEscapeAndCountCodePoints() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}");
    assertTrue(matches(g, "\"ab\""));
    assertTrue(matches(g, "\"a\\\"\""));
    assertTrue(matches(g, "\"😀é\\n\""));
    assertFalse(matches(g, "\"a\""));
    assertFalse(matches(g, "\"abcd\""));
    assertFalse(matches(g, "\"a\nb\""));
    assertFalse(matches(g, "\"a\\u0041\"")); // one spelling per character: raw UTF-8 for printable ones
  }

  @Test
  void patternsIntersectWithLengthAndFormat() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"string\",\"pattern\":\"^[A-Z][a-z]*$\",\"maxLength\":4}");
    assertTrue(matches(g, "\"Abcd\""));
    assertFalse(matches(g, "\"Abcde\""));
    assertFalse(matches(g, "\"abcd\""));
    assertTrue(Pattern.matches("[A-Z][a-z]*", "Abcd"));
  }

  @Test
  void anyJsonObjectNestsThroughTheRecursiveValueRule() {
    Grammar g = Grammar.jsonObject();
    assertTrue(g.ruleCount() == 2, g.toString());
    assertTrue(matches(g, "{}"));
    assertTrue(matches(g, "{\"x\":[1,{\"y\":null},[],[[\"a\"]]],\"z\":-1.5e3, \"w\": true}"));
    assertFalse(matches(g, "[1]"));
    assertFalse(matches(g, "{\"x\":[1,]}"));
    assertFalse(matches(g, "{\"x\":01}"));
  }

  @Test
  void recursiveRefsBecomeCalledRules() {
    Grammar g = Grammar.jsonSchema("{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{"
        + "\"v\":{\"type\":\"integer\"},\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}},"
        + "\"required\":[\"v\"]}},\"$ref\":\"#/$defs/node\"}");
    assertTrue(matches(g, "{\"v\":1}"));
    assertTrue(matches(g, "{\"v\":1,\"kids\":[{\"v\":2},{\"v\":3,\"kids\":[{\"v\":4,\"kids\":[]}]}]}"));
    assertFalse(matches(g, "{\"v\":1,\"kids\":[{\"kids\":[]}]}"));
  }

  @Test
  void arraysCountItems() {
    Grammar g = Grammar.jsonSchema("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2,"
        + "\"maxItems\":3}");
    assertFalse(matches(g, "[]"));
    assertFalse(matches(g, "[1]"));
    assertTrue(matches(g, "[1,2]"));
    assertTrue(matches(g, "[1, 2, 3]"));
    assertFalse(matches(g, "[1,2,3,4]"));
    Grammar tuple = Grammar.jsonSchema("{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"},"
        + "{\"type\":\"null\"}],\"items\":false,\"minItems\":1}");
    assertTrue(matches(tuple, "[\"a\"]"));
    assertTrue(matches(tuple, "[\"a\",null]"));
    assertFalse(matches(tuple, "[\"a\",null,null]"));
    assertFalse(matches(tuple, "[]"));
  }

  @Test
  void rulesAreMinimalDfas() {
    Grammar g = Grammar.regex("(a|b)*abb"); // the textbook example: four states once minimized
    assertEquals(4, g.stateCount());
    assertTrue(matches(g, "ababb"));
    assertFalse(matches(g, "abab"));
  }
}
