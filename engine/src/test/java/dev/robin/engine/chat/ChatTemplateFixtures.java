package dev.robin.engine.chat;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.synthetic.SyntheticTokenizer;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The real chat templates of the chat-fixtures test resources (see its README), for tests of any package. */
public final class ChatTemplateFixtures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatTemplateFixtures() {}

  public static String resource(String name) {
    try (InputStream in = ChatTemplateFixtures.class.getResourceAsStream("/chat-fixtures/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource chat-fixtures/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(String name) {
    try {
      return JSON.readTree(resource(name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Map<String, JinjaChatTemplate> TEMPLATES = new LinkedHashMap<>();

  /** The template named in templates.json, loaded once. */
  public static synchronized JinjaChatTemplate template(String name) {
    return TEMPLATES.computeIfAbsent(name, n -> {
      for (JsonNode spec : json("templates.json").get("templates")) {
        if (!spec.get("name").asText().equals(n)) {
          continue;
        }
        if (spec.has("shared")) { // the model directory's own template, found as a model load finds it
          ChatTemplate t = ChatTemplates.forModel(TestModels.shared().resolve(spec.get("shared").asText()));
          return assertInstanceOf(JinjaChatTemplate.class, t);
        }
        if (spec.has("robin")) { // Robin's own template, as its synthetic models carry it
          return new JinjaChatTemplate(SyntheticTokenizer.CHAT_TEMPLATE, text(spec, "bos_token"),
              text(spec, "eos_token"));
        }
        return new JinjaChatTemplate(resource(spec.get("file").asText()), text(spec, "bos_token"),
            text(spec, "eos_token"));
      }
      throw new IllegalArgumentException(n);
    });
  }


  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
