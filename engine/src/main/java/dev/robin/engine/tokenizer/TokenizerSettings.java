package dev.robin.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.config.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * What {@code tokenizer_config.json} says about special tokens.
 *
 * @param addBosToken {@code add_bos_token}, or null when the config does not say (then the
 *     {@code tokenizer.json} post-processor alone decides, as transformers' generic fast tokenizer does)
 * @param addEosToken {@code add_eos_token}, or null when the config does not say
 * @param bosToken {@code bos_token} text (a string or an object's {@code content}); empty when absent
 * @param eosToken {@code eos_token} text; empty when absent
 * @param specialIds ids of {@code added_tokens_decoder} entries marked {@code special: true}
 * @param chatTemplate the raw {@code chat_template} node (string or list of named templates), or null
 */
public record TokenizerSettings(
    Boolean addBosToken,
    Boolean addEosToken,
    String bosToken,
    String eosToken,
    Set<Integer> specialIds,
    JsonNode chatTemplate) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Settings of a model directory; a missing {@code tokenizer_config.json} means "nothing said". */
  public static TokenizerSettings read(Path modelDir) {
    Path file = modelDir.resolve("tokenizer_config.json");
    if (!Files.isRegularFile(file)) {
      return new TokenizerSettings(null, null, "", "", Set.of(), null);
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelLoadException(file + " must hold a JSON object");
    }
    Set<Integer> special = new HashSet<>();
    JsonNode decoder = root.path("added_tokens_decoder");
    for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().path("special").asBoolean(false)) {
        try {
          special.add(Integer.parseInt(e.getKey()));
        } catch (NumberFormatException ex) {
          throw new ModelLoadException(file + ": added_tokens_decoder key '" + e.getKey() + "' is not an id");
        }
      }
    }
    JsonNode template = root.get("chat_template");
    return new TokenizerSettings(
        optionalBoolean(root, "add_bos_token"),
        optionalBoolean(root, "add_eos_token"),
        tokenText(root.get("bos_token")),
        tokenText(root.get("eos_token")),
        Set.copyOf(special),
        template == null || template.isNull() ? null : template);
  }

  private static Boolean optionalBoolean(JsonNode root, String field) {
    JsonNode v = root.get(field);
    return v == null || v.isNull() ? null : v.asBoolean();
  }

  /** A token given as {@code "<s>"} or as {@code {"content": "<s>", ...}}; empty when absent. */
  static String tokenText(JsonNode node) {
    if (node == null || node.isNull()) {
      return "";
    }
    if (node.isTextual()) {
      return node.asText();
    }
    return node.path("content").asText("");
  }
}
