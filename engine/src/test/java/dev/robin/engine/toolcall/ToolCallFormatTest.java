package dev.robin.engine.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.robin.engine.chat.ChatTemplateFixtures;
import dev.robin.engine.chat.PlainChatTemplate;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The format is read from real models' templates (the chat-fixtures test resources). */
class ToolCallFormatTest {

  @ParameterizedTest
  @CsvSource({
      "qwen3, HERMES",
      "qwen2.5-instruct, HERMES",
      "hermes-3-llama-3.1-8b-tool_use, HERMES",
      "llama-3.3-70b-instruct, LLAMA3_JSON",
      "llama-3.2-3b-instruct, LLAMA3_JSON",
      "mistral-7b-instruct-v0.3, MISTRAL",
      "mistral-nemo-instruct-2407, MISTRAL",
  })
  void eachTemplateWithToolsNamesItsFormat(String template, ToolCallFormat expected) {
    assertEquals(Optional.of(expected), ToolCallFormat.of(ChatTemplateFixtures.template(template)));
  }

  @ParameterizedTest
  @CsvSource({"llama-3-8b-instruct", "smollm2-135m-instruct"})
  void aTemplateThatNeverShowsToolsHasNoFormat(String template) {
    assertEquals(Optional.empty(), ToolCallFormat.of(ChatTemplateFixtures.template(template)));
  }

  @Test
  void thePlainTemplateHasNoFormat() {
    assertEquals(Optional.empty(), ToolCallFormat.of(new PlainChatTemplate("<s>")));
  }
}
