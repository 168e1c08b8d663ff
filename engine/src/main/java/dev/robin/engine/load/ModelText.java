package dev.robin.engine.load;

import dev.robin.engine.chat.ChatTemplate;
import dev.robin.engine.chat.ChatTemplates;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.grammar.TokenVocabularyBytes;
import dev.robin.engine.tokenizer.HuggingFaceTextTokenizer;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's text side: its tokenizer and chat template, which is all a node needs to take requests for a model
 * whose weights live on other nodes. Built from a few small files of the model directory ({@link #FILES}), so a
 * node can receive them from the cluster and open them as if it had the directory.
 */
public final class ModelText implements AutoCloseable {

  /** The files of a Hugging Face model directory the text side is read from (the last one is optional). */
  public static final List<String> FILES = List.of("tokenizer.json", "tokenizer_config.json", "chat_template.jinja");

  private final HuggingFaceTextTokenizer tokenizer;
  private final ChatTemplate chatTemplate;

  private ModelText(HuggingFaceTextTokenizer tokenizer, ChatTemplate chatTemplate) {
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
  }

  /** Opens the tokenizer and chat template of a model directory. */
  public static ModelText open(Path modelDir) {
    HuggingFaceTextTokenizer tokenizer = HuggingFaceTextTokenizer.load(modelDir);
    try {
      return new ModelText(tokenizer, ChatTemplates.forModel(modelDir));
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** The {@link #FILES} a model directory has, by name. */
  public static Map<String, byte[]> readFiles(Path modelDir) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : FILES) {
      Path file = modelDir.resolve(name);
      if (Files.isRegularFile(file)) {
        try {
          files.put(name, Files.readAllBytes(file));
        } catch (IOException e) {
          throw new ModelLoadException(file + " cannot be read: " + e.getMessage(), e);
        }
      }
    }
    return files;
  }

  /**
   * Writes {@code files} (as {@link #readFiles} returned them) into {@code dir} and opens them; names other than
   * {@link #FILES} are refused, so a peer cannot write elsewhere.
   */
  public static ModelText fromFiles(Map<String, byte[]> files, Path dir) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        if (!FILES.contains(file.getKey())) {
          throw new ModelLoadException("unexpected model file '" + file.getKey() + "'; expected some of " + FILES);
        }
        Files.write(dir.resolve(file.getKey()), file.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the model's text files to " + dir, e);
    }
    return open(dir);
  }

  /**
   * The vocabulary as a grammar sees it: each of {@code numLogits} ids' text bytes (none for control tokens and
   * for ids beyond the tokenizer, which a model may pad its logits with), and the ids that end a sequence.
   */
  public TokenVocabularyBytes grammarVocabulary(int numLogits, Collection<Integer> stopIds) {
    byte[][] bytes = new byte[numLogits][];
    for (int id = 0; id < Math.min(numLogits, tokenizer.vocabSize()); id++) {
      byte[] b = tokenizer.textBytes(id);
      bytes[id] = b == null || b.length == 0 ? null : b;
    }
    int[] stops = stopIds.stream().mapToInt(Integer::intValue).filter(id -> id >= 0 && id < numLogits).toArray();
    return TokenVocabularyBytes.of(numLogits, bytes, stops);
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** Token ids the tokenizer treats as end of sequence, -1 when it names none. */
  int eosTokenId() {
    return tokenizer.eosTokenId();
  }

  public ChatTemplate chatTemplate() {
    return chatTemplate;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
