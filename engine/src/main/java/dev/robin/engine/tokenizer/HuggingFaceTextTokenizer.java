package dev.robin.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.robin.engine.config.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A model's own Hugging Face tokenizer ({@code tokenizer.json}, run by the Rust {@code tokenizers} library
 * through DJL), with BOS/EOS as {@code tokenizer_config.json} says.
 *
 * <p>Special tokens on encode: when the config sets {@code add_bos_token}/{@code add_eos_token}, the text
 * is encoded without the post-processor and BOS/EOS are added as the flags say (as transformers' Llama
 * tokenizers rewrite their post-processor); otherwise the {@code tokenizer.json} post-processor decides
 * (Llama 3 adds {@code <|begin_of_text|>}, Qwen adds nothing). DJL's defaults would truncate to
 * {@code model_max_length} and pad; both are turned off: the scheduler, not the tokenizer, owns limits.
 * Decoding is the {@code tokenizer.json} decoder alone: {@code clean_up_tokenization_spaces} is not
 * applied (as in vLLM), so {@code "a .b"} stays what the tokens spell, and streaming equals one-shot text.
 *
 * <p>Thread-safe: the Rust tokenizer is immutable; detokenizers are per sequence.
 */
public final class HuggingFaceTextTokenizer implements TextTokenizer {

  private static final Map<String, String> DJL_OPTIONS =
      Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false");

  private final HuggingFaceTokenizer tokenizer;
  private final TokenVocabulary vocabulary;
  private final TokenizerSettings settings;
  private final Set<Integer> specialIds;
  private final int bosId;
  private final int eosId;

  private HuggingFaceTextTokenizer(
      HuggingFaceTokenizer tokenizer, TokenVocabulary vocabulary, TokenizerSettings settings) {
    this.tokenizer = tokenizer;
    this.vocabulary = vocabulary;
    this.settings = settings;
    Set<Integer> special = new HashSet<>(vocabulary.specialIds());
    special.addAll(settings.specialIds());
    this.specialIds = Set.copyOf(special);
    this.bosId = vocabulary.idOf(settings.bosToken());
    this.eosId = vocabulary.idOf(settings.eosToken());
  }

  /** Loads {@code tokenizer.json} and {@code tokenizer_config.json} of a Hugging Face model directory. */
  public static HuggingFaceTextTokenizer load(Path modelDir) {
    Path json = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(json)) {
      throw new ModelLoadException(json + " is missing: Robin needs the model's fast tokenizer file");
    }
    TokenizerSettings settings = TokenizerSettings.read(modelDir);
    TokenVocabulary vocabulary = TokenVocabulary.read(json);
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(modelDir, DJL_OPTIONS);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(json + " cannot be loaded by the tokenizers library: " + e.getMessage(), e);
    }
    HuggingFaceTextTokenizer result = new HuggingFaceTextTokenizer(tokenizer, vocabulary, settings);
    if (Boolean.TRUE.equals(settings.addBosToken()) && result.bosId < 0) {
      tokenizer.close();
      throw new ModelLoadException(modelDir.resolve("tokenizer_config.json")
          + ": add_bos_token is true but bos_token '" + settings.bosToken() + "' is not in the vocabulary");
    }
    return result;
  }

  @Override
  public int[] encode(String text, boolean addSpecialTokens) {
    Objects.requireNonNull(text, "text");
    boolean configDecides = settings.addBosToken() != null || settings.addEosToken() != null;
    boolean postProcess = addSpecialTokens && !configDecides;
    long[] raw = tokenizer.encode(text, postProcess, false).getIds();
    boolean bos = addSpecialTokens && configDecides && Boolean.TRUE.equals(settings.addBosToken()) && bosId >= 0;
    boolean eos = addSpecialTokens && configDecides && Boolean.TRUE.equals(settings.addEosToken()) && eosId >= 0;
    int[] ids = new int[raw.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
    int at = 0;
    if (bos) {
      ids[at++] = bosId;
    }
    for (long id : raw) {
      ids[at++] = (int) id;
    }
    if (eos) {
      ids[at] = eosId;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    Objects.requireNonNull(ids, "ids");
    long[] wide = new long[ids.length];
    int n = 0;
    for (int id : ids) {
      if (id < 0) {
        throw new IllegalArgumentException("token id " + id + " is negative");
      }
      if (!skipSpecialTokens || !specialIds.contains(id)) {
        wide[n++] = id;
      }
    }
    return tokenizer.decode(n == wide.length ? wide : Arrays.copyOf(wide, n), skipSpecialTokens);
  }

  @Override
  public IncrementalDetokenizer newDetokenizer() {
    return newDetokenizer(new int[0]);
  }

  /**
   * A detokenizer whose first text continues {@code promptIds}: decoders that strip a leading space at
   * the start of a sequence (SentencePiece) then keep the space of the first generated word.
   */
  @Override
  public IncrementalDetokenizer newDetokenizer(int[] promptIds) {
    return new WindowedDetokenizer(
        this::decodeWindow, specialIds::contains, vocabulary::isFallbackByte, promptIds);
  }

  private String decodeWindow(int[] ids, int from, int to) {
    long[] wide = new long[to - from];
    for (int i = from; i < to; i++) {
      wide[i - from] = ids[i];
    }
    return tokenizer.decode(wide, true);
  }

  @Override
  public boolean isSpecial(int id) {
    return specialIds.contains(id);
  }

  @Override
  public String tokenText(int id) {
    return new String(vocabulary.bytes(id), StandardCharsets.UTF_8);
  }

  /**
   * The UTF-8 bytes one token contributes (OpenAI's {@code bytes} field of log-probabilities); a byte
   * token such as {@code <0xE2>} gives its single byte, which alone is not valid UTF-8.
   */
  public byte[] tokenBytes(int id) {
    return vocabulary.bytes(id);
  }

  /**
   * The bytes a token adds to generated text, for a grammar to match: null for added and special tokens
   * (control tokens such as {@code <|im_start|>} or {@code </s>}, which no constrained text may contain).
   */
  public byte[] textBytes(int id) {
    if (specialIds.contains(id) || vocabulary.isAdded(id) || id < 0 || id >= vocabulary.size()) {
      return null;
    }
    return vocabulary.bytes(id);
  }

  @Override
  public String bosToken() {
    return settings.bosToken();
  }

  @Override
  public String eosToken() {
    return settings.eosToken();
  }

  /** Id of the EOS token named by the config, or -1. */
  public int eosTokenId() {
    return eosId;
  }

  /** Id of the BOS token named by the config, or -1. */
  public int bosTokenId() {
    return bosId;
  }

  /** Vocabulary of {@code tokenizer.json} including added tokens; a model may pad its logits beyond it. */
  @Override
  public int vocabSize() {
    return vocabulary.size();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
