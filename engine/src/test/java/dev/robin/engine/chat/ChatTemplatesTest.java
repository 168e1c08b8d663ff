package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplatesTest {

  private static final List<ChatMessage> CONVERSATION = List.of(
      new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi"));

  @Test
  void templateStringFromTokenizerConfigWithObjectShapedTokens(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), """
        {"bos_token": {"content": "<s>", "special": true}, "eos_token": "</s>",
         "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}"}
        """);
    assertEquals("<s>[system]Be brief.</s>[user]Hi</s>", ChatTemplates.forModel(dir).render(CONVERSATION, true));
  }

  @Test
  void namedTemplatesTakeTheDefault(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), """
        {"chat_template": [{"name": "tool_use", "template": "tools"},
                           {"name": "default", "template": "default:{{ messages | length }}"}]}
        """);
    assertEquals("default:2", ChatTemplates.forModel(dir).render(CONVERSATION, false));
  }

  @Test
  void chatTemplateJinjaFileWins(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from config\"}");
    Files.writeString(dir.resolve("chat_template.jinja"), "from file {{ messages[-1].content }}\n");
    assertEquals("from file Hi", ChatTemplates.forModel(dir).render(CONVERSATION, false));
  }

  @Test
  void aBadTemplateShapeIsAClearLoadError(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
    assertThrows(ModelLoadException.class, () -> ChatTemplates.forModel(dir));
  }

  @Test
  void aTemplateThatDoesNotParseFailsAtLoad(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% if messages %}unclosed\"}");
    assertThrows(ModelLoadException.class, () -> ChatTemplates.forModel(dir));
  }

  @Test
  void aModelWithoutTemplateGetsThePlainFormat() {
    ChatTemplate t = ChatTemplates.forModel(TestModels.stories260k());
    assertInstanceOf(PlainChatTemplate.class, t);
    assertEquals("<s>System: Be brief.\nUser: Hi\nAssistant:", t.render(CONVERSATION, true));
    assertEquals("<s>System: Be brief.\nUser: Hi\n", t.render(CONVERSATION, false));
    assertEquals("User: Hi\nAssistant:", new PlainChatTemplate("").render(List.of(CONVERSATION.get(1)), true));
    assertThrows(ChatTemplateException.class, () -> t.render(List.of(new ChatMessage("robot", "x")), true));
    // A model without a template cannot show tools to the model: refused, never silently dropped.
    ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(CONVERSATION, List.of(), true));
    assertEquals("this model's chat template cannot show tools to the model", e.getMessage());
    assertEquals(t.render(CONVERSATION, true), t.render(CONVERSATION, null, true));
  }

  @Test
  void qwen3sOwnTemplateLoadsAndRendersASystemAndUserConversation() {
    // Jinjava failed here on namespace(..., last_query_index=messages|length - 1).
    ChatTemplate t = ChatTemplates.forModel(TestModels.qwen3Tokenizer());
    assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        t.render(CONVERSATION, true));
  }
}
