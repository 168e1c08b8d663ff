package dev.robin.engine.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestModelsTest {

  @Test
  void findsTheSharedModelsAndGoldenCases() {
    assertTrue(Files.isRegularFile(TestModels.stories260k().resolve("model.safetensors")));
    assertTrue(Files.isRegularFile(TestModels.qwen3Tokenizer().resolve("tokenizer.json")));
    assertEquals(TestModels.golden(), TestModels.stories260kGoldenFile().getParent());
    List<GoldenCase> cases = TestModels.stories260kGoldenCases();
    assertEquals(4, cases.size());
    for (GoldenCase c : cases) {
      assertEquals(64, c.outputIds().length, c.prompt());
      assertTrue(c.promptIds().length > 0 && !c.outputText().isEmpty(), c.prompt());
    }
  }

  @Test
  void missingDataFailsNamingThePath(@TempDir Path empty) {
    String saved = System.getProperty("robin.shared");
    try {
      System.setProperty("robin.shared", empty.toString());
      AssertionError model = assertThrows(AssertionError.class, TestModels::stories260k);
      assertTrue(model.getMessage().contains(empty.resolve("models/stories260k").toString()), model.getMessage());
      Path nowhere = empty.resolve("nowhere");
      System.setProperty("robin.shared", nowhere.toString());
      AssertionError root = assertThrows(AssertionError.class, TestModels::shared);
      assertTrue(root.getMessage().contains(nowhere.toString()), root.getMessage());
    } finally {
      if (saved == null) {
        System.clearProperty("robin.shared");
      } else {
        System.setProperty("robin.shared", saved);
      }
    }
  }
}
