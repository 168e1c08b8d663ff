package dev.robin.engine.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.testkit.ToolCallReading;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ToolCallExtractorTest {

  private static ToolCallExtractor.Output whole(ToolCallExtractor extractor, String output) {
    return ToolCallReading.read(extractor, List.of(output));
  }

  /** The output cut at random places: the same content and calls as whole. */
  private static void assertSameInPieces(java.util.function.Supplier<ToolCallExtractor> factory, String output) {
    ToolCallExtractor.Output expected = whole(factory.get(), output);
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      List<String> pieces = new ArrayList<>();
      int at = 0;
      while (at < output.length()) {
        int len = 1 + random.nextInt(Math.min(6, output.length() - at));
        pieces.add(output.substring(at, at + len));
        at += len;
      }
      assertEquals(expected, ToolCallReading.read(factory.get(), pieces), "cut as " + pieces);
    }
  }

  private static ToolCallExtractor.Call call(String name, String arguments) {
    return new ToolCallExtractor.Call(name, arguments);
  }

  @Test
  void hermesCallsAfterTextAreSplitOff() throws Exception {
    String output = "Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}\n"
        + "</tool_call>\n<tool_call>\n{\"name\": \"time\", \"arguments\": {}}\n</tool_call>";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.HERMES), output);
    assertEquals("Let me look.\n", r.content());
    assertEquals(List.of(call("weather", "{\"city\": \"Paris\"}"), call("time", "{}")), r.calls());
    assertSameInPieces(() -> ToolCallExtractor.of(ToolCallFormat.HERMES), output);
  }

  @Test
  void hermesTextWithoutCallsIsUnchangedEvenWhenItLooksLikeATagStart() {
    String output = "  a < b and <tool is not a tag <tool_cal";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.HERMES), output);
    assertEquals(output, r.content());
    assertEquals(List.of(), r.calls());
    assertSameInPieces(() -> ToolCallExtractor.of(ToolCallFormat.HERMES), output);
  }

  @Test
  void aHermesCallThatDoesNotParseIsGivenBackAsText() throws Exception {
    String output = "<tool_call>{\"name\": oops}</tool_call> and <tool_call>{\"name\": \"f\", \"arguments\": {}}";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.HERMES), output);
    assertEquals("<tool_call>{\"name\": oops}</tool_call> and ", r.content());
    assertEquals(List.of(call("f", "{}")), r.calls(), "an unclosed call at the end stands if its JSON is whole");
    assertSameInPieces(() -> ToolCallExtractor.of(ToolCallFormat.HERMES), output);
  }

  @Test
  void argumentsWrittenAsAJsonStringAreReadAsAnObject() throws Exception {
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.HERMES),
        "<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}</tool_call>");
    assertEquals(List.of(call("f", "{\"a\": 1}")), r.calls());
  }

  @Test
  void numbersKeepTheValueTheModelWrote() {
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.HERMES),
        "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": -1e999, \"b\": 0.10, \"c\": 123456789012345678901}}"
            + "</tool_call>");
    assertEquals("{\"a\": -1e999, \"b\": 0.10, \"c\": 123456789012345678901}", r.calls().get(0).arguments());
  }

  @Test
  void llamaJsonCallsWithOrWithoutThePythonTag() throws Exception {
    String output = "<|python_tag|>{\"name\": \"weather\", \"parameters\": {\"city\": \"Oslo\"}}; "
        + "{\"name\": \"time\", \"parameters\": {\"zone\": \"CET\"}}";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.LLAMA3_JSON), output);
    assertEquals("", r.content());
    assertEquals(List.of(call("weather", "{\"city\": \"Oslo\"}"), call("time", "{\"zone\": \"CET\"}")), r.calls());
    assertSameInPieces(() -> ToolCallExtractor.of(ToolCallFormat.LLAMA3_JSON), output);
    assertEquals(List.of(call("f", "{}")),
        whole(ToolCallExtractor.of(ToolCallFormat.LLAMA3_JSON), " {\"name\": \"f\", \"parameters\": {}}").calls());
  }

  @Test
  void llamaTextIsStreamedAsSoonAsItIsClearlyText() {
    ToolCallExtractor extractor = ToolCallExtractor.of(ToolCallFormat.LLAMA3_JSON);
    assertEquals("", extractor.push("  ").content());
    assertEquals("", extractor.push("<|py").content(), "may be the tag");
    assertEquals("  <|pyHello", extractor.push("Hello").content());
    assertEquals(" world", extractor.push(" world").content());
    assertEquals(ToolCallExtractor.Output.EMPTY, extractor.finish());
  }

  @Test
  void llamaJsonThatIsNotACallIsText() {
    String output = "{\"answer\": 42}";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.LLAMA3_JSON), output);
    assertEquals(output, r.content());
    assertEquals(List.of(), r.calls());
  }

  @Test
  void mistralCallsFollowTheirMarker() throws Exception {
    String output = "[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"x\": [1, 2]}}, {\"name\": \"b\", "
        + "\"arguments\": {}}]";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.of(ToolCallFormat.MISTRAL), output);
    assertEquals(List.of(call("a", "{\"x\": [1, 2]}"), call("b", "{}")), r.calls());
    assertEquals("", r.content());
    assertSameInPieces(() -> ToolCallExtractor.of(ToolCallFormat.MISTRAL), output);
    // The marker is a special token that detokenizing may drop: the array alone is the same calls.
    assertEquals(r.calls(), whole(ToolCallExtractor.of(ToolCallFormat.MISTRAL), output.substring(12)).calls());
  }

  @Test
  void constrainedOutputsAreReadWhole() throws Exception {
    String calls = "[{\"name\": \"a\", \"arguments\": {\"q\": \"x\"}}, {\"name\": \"a\", \"arguments\": {\"q\": \"y\"}}]";
    ToolCallExtractor.Output r = whole(ToolCallExtractor.callsJson(), calls);
    assertEquals(List.of(call("a", "{\"q\": \"x\"}"), call("a", "{\"q\": \"y\"}")), r.calls());
    assertEquals("", r.content());
    assertSameInPieces(ToolCallExtractor::callsJson, calls);
    ToolCallExtractor.Output named = whole(ToolCallExtractor.argumentsOf("lookup"), "{\"id\": 3}");
    assertEquals(List.of(call("lookup", "{\"id\": 3}")), named.calls());
    ToolCallExtractor.Output cut = whole(ToolCallExtractor.argumentsOf("lookup"), "{\"id\": ");
    assertEquals("{\"id\": ", cut.content(), "a document cut short (max_tokens) is text, not a call");
    assertTrue(cut.calls().isEmpty());
  }
}
