package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.chat.ChatMessage;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's text side, opened from its directory or from its files sent by another node, is the same. */
class ModelTextTest {

  @TempDir Path scratch;

  @Test
  void theFilesOfADirectoryOpenToTheSameTokenizerAndTemplate() {
    Path dir = TestModels.stories260k();
    Map<String, byte[]> files = ModelText.readFiles(dir);
    assertEquals(List.of("tokenizer.json", "tokenizer_config.json"), List.copyOf(files.keySet()),
        "the optional chat_template.jinja is left out when the model has none");
    try (ModelText original = ModelText.open(dir); ModelText copy = ModelText.fromFiles(files, scratch)) {
      String text = "Once upon a time, there was a little dog named Max.";
      assertArrayEquals(original.tokenizer().encode(text, true), copy.tokenizer().encode(text, true));
      assertEquals(original.tokenizer().vocabSize(), copy.tokenizer().vocabSize());
      List<ChatMessage> chat = List.of(new ChatMessage("user", "Hi"));
      assertEquals(original.chatTemplate().render(chat, true), copy.chatTemplate().render(chat, true));
    }
  }

  @Test
  void aLargeVocabularyTokenizerTravelsToo() {
    Path dir = TestModels.qwen3Tokenizer();
    Map<String, byte[]> files = ModelText.readFiles(dir);
    assertTrue(files.get("tokenizer.json").length > 10_000_000, "Qwen3's tokenizer.json is over 10 MB");
    try (ModelText original = ModelText.open(dir); ModelText copy = ModelText.fromFiles(files, scratch)) {
      String text = "Robin serves 多语言 text, emoji 🐦 and code: fn main() {}";
      assertArrayEquals(original.tokenizer().encode(text, false), copy.tokenizer().encode(text, false));
    }
  }

  @Test
  void onlyTheTextFilesAreWritten() throws Exception {
    Map<String, byte[]> files = Map.of("../evil.sh", new byte[] {1});
    assertThrows(ModelLoadException.class, () -> ModelText.fromFiles(files, scratch.resolve("m")));
    assertFalse(Files.exists(scratch.resolve("evil.sh")));
  }
}
