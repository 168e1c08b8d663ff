package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamChunkTest {

  @Test
  void textCompletionChunkCarriesText() {
    StreamChunk c = StreamChunk.parse(
        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" Once\","
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
    assertTrue(c.hasContent());
    assertEquals(" Once", c.text());
    assertNull(c.finishReason());
    assertFalse(c.hasUsage());
  }

  @Test
  void chatDeltaContentCountsButRoleOnlyDeltaDoesNot() {
    assertFalse(StreamChunk.parse("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}").hasContent());
    assertEquals("hi", StreamChunk.parse("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}").text());
  }

  @Test
  void finishChunkAndUsageChunk() {
    StreamChunk finish = StreamChunk.parse("{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}");
    assertFalse(finish.hasContent());
    assertEquals("length", finish.finishReason());
    StreamChunk usage = StreamChunk.parse(
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":64,\"total_tokens\":76}}");
    assertTrue(usage.hasUsage());
    assertEquals(64, usage.completionTokens());
    assertEquals(12, usage.promptTokens());
    assertEquals(0, usage.cachedPromptTokens(), "no prompt_tokens_details: nothing cached");
    assertEquals(-1, finish.cachedPromptTokens(), "no usage at all");
  }

  @Test
  void cachedPromptTokensComeFromTheUsageDetails() {
    StreamChunk usage = StreamChunk.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":128,"
        + "\"completion_tokens\":64,\"total_tokens\":192,\"prompt_tokens_details\":{\"cached_tokens\":112}}}");
    assertEquals(112, usage.cachedPromptTokens());
  }

  @Test
  void errorEvent() {
    StreamChunk c = StreamChunk.parse("{\"error\":{\"message\":\"model crashed\",\"type\":\"server_error\"}}");
    assertEquals("model crashed", c.error());
  }

  @Test
  void nonJsonIsRejectedWithTheData() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamChunk.parse("oops"));
    assertTrue(e.getMessage().contains("oops"));
    assertThrows(IllegalArgumentException.class, () -> StreamChunk.parse("[1,2]"));
  }
}
