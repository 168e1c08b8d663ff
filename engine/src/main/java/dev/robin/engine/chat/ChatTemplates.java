package dev.robin.engine.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.tokenizer.TokenizerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the chat template of a Hugging Face model directory. */
public final class ChatTemplates {

  private ChatTemplates() {}

  /**
   * The model's template, looked up as transformers does: {@code chat_template.jinja} if present, else
   * {@code chat_template} of {@code tokenizer_config.json} (a string, or a list of named templates of
   * which the one named {@code default} is taken, else the first). {@code bos_token} and
   * {@code eos_token} come from {@code tokenizer_config.json}. A model without any template gets
   * {@link PlainChatTemplate} ({@code "<s>System: …\nUser: …\nAssistant:"}).
   *
   * <p>Templates put the BOS token in the text themselves: encode a rendered prompt with
   * {@code addSpecialTokens = false}, as transformers' {@code apply_chat_template} does, or BOS doubles.
   *
   * @throws ModelLoadException when a template file exists but cannot be read, has an unusable shape or
   *     does not parse
   */
  public static ChatTemplate forModel(Path modelDir) {
    TokenizerSettings settings = TokenizerSettings.read(modelDir);
    String source = templateSource(modelDir, settings.chatTemplate());
    if (source == null) {
      return new PlainChatTemplate(settings.bosToken());
    }
    try {
      return new JinjaChatTemplate(source, settings.bosToken(), settings.eosToken());
    } catch (ChatTemplateException e) {
      throw new ModelLoadException(modelDir + ": " + e.getMessage(), e);
    }
  }

  /** The template text, or null when the model has none. */
  static String templateSource(Path modelDir, JsonNode fromConfig) {
    Path file = modelDir.resolve("chat_template.jinja");
    if (Files.isRegularFile(file)) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
      }
    }
    if (fromConfig == null || fromConfig.isNull()) {
      return null;
    }
    if (fromConfig.isTextual()) {
      return fromConfig.asText();
    }
    if (fromConfig.isArray() && fromConfig.size() > 0) {
      for (JsonNode named : fromConfig) {
        if ("default".equals(named.path("name").asText())) {
          return named.path("template").asText();
        }
      }
      return fromConfig.get(0).path("template").asText();
    }
    throw new ModelLoadException(modelDir.resolve("tokenizer_config.json")
        + ": chat_template must be a string or a list of {name, template}");
  }
}
