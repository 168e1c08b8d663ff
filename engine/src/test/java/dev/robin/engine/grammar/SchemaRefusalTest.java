package dev.robin.engine.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** What cannot be compiled is refused with the keyword and the JSON pointer of the schema holding it. */
class SchemaRefusalTest {

  @ParameterizedTest(name = "{1} at {2}")
  @CsvSource(delimiter = '|', value = {
      "{'type':'object','patternProperties':{'^a':{}}}|patternProperties|",
      "{'type':'object','properties':{'a':{'type':'string','not':{'const':'x'}}}}|not|/properties/a",
      "{'type':'array','items':{'type':'integer','multipleOf':3}}|multipleOf|/items",
      "{'type':'array','uniqueItems':true}|uniqueItems|",
      "{'$defs':{'x':{'if':{},'then':{}}},'$ref':'#/$defs/x'}|if|/$defs/x",
      "{'anyOf':[{'type':'null'},{'type':'object','minProperties':1}]}|minProperties|/anyOf/1",
      "{'type':'string','format':'credit-card'}|format|",
      "{'type':'string','pattern':'(a)\\\\1'}|pattern|",
      "{'$ref':'http://example.com/schema'}|$ref|",
      "{'$ref':'#/$defs/missing'}|$ref|",
      "{'$ref':'#%fs'}|$ref|",
      "{'$ref':'#/a~2b'}|$ref|",
      "{'allOf':[{'type':'string'},{'maxLength':3}]}|allOf|",
      "{'type':'object','properties':{'a/b':{'type':'integer','dependentRequired':{}}}}|dependentRequired|/properties/a~1b",
      "{'type':'object','required':['x'],'additionalProperties':false}|required|",
      "{'type':'strin'}|type|",
      "{'type':'string','enum':['a'],'maxLength':3}|maxLength|",
      "{'type':'integer','minimum':1e309}|minimum|",
      "{'type':'number','maximum':-1e400}|maximum|",
      "{'type':'array','maxItems':1e309}|maxItems|",
      "{'type':'number','const':1e309}|const|",
      "{'type':'integer','enum':[1,-1e309]}|enum|",
  })
  void unsupportedKeywordsAreNamedWithTheirPointer(String schema, String keyword, String pointer) {
    UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
        () -> Grammar.jsonSchema(schema.replace('\'', '"')));
    assertEquals(keyword, e.keyword(), e.getMessage());
    assertEquals(pointer == null ? "" : pointer, e.pointer(), e.getMessage());
    assertTrue(e.getMessage().contains("'" + keyword + "'"), e.getMessage());
  }

  @Test
  void malformedRegexAndEmptyLanguagesAreGrammarErrors() {
    assertThrows(GrammarException.class, () -> Grammar.regex("a(b"));
    assertThrows(GrammarException.class, () -> Grammar.regex("a{2,1}"));
    assertThrows(GrammarException.class, () -> Grammar.regex("(?=a)b"));
    assertThrows(GrammarException.class, () -> Grammar.regex("a*+"));
    assertThrows(GrammarException.class, () -> Grammar.jsonSchema("{\"type\":\"integer\",\"minimum\":5,\"maximum\":4}"));
    assertThrows(GrammarException.class, () -> Grammar.jsonSchema("{\"type\":\"string\",\"minLength\":3,\"pattern\":\"^a?$\"}"));
    assertThrows(GrammarException.class, () -> Grammar.jsonSchema("not json"));
    assertThrows(GrammarException.class, () -> Grammar.choice(java.util.List.of()));
  }

  @Test
  void annotationsAreIgnored() {
    Grammar g = Grammar.jsonSchema("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":\"T\","
        + "\"description\":\"d\",\"type\":\"boolean\",\"default\":true,\"examples\":[false],\"$comment\":\"c\"}");
    assertTrue(g.matches("false".getBytes()));
  }
}
