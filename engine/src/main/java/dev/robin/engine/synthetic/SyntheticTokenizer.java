package dev.robin.engine.synthetic;

import dev.robin.engine.tokenizer.ByteLevelAlphabet;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Robin's own tokenizer for synthetic models: a GPT-2 style byte-level BPE with exactly {@link #VOCAB_SIZE}
 * ids, so any UTF-8 text round-trips and no download is needed. Ids 0..3 are the special tokens, 4..259 the
 * 256 byte symbols, and the rest merges learned from a short English text shipped as a resource.
 *
 * <p>It is written as standard Hugging Face files ({@code tokenizer.json} with a BPE model, ByteLevel
 * pre-tokenizer and decoder, and a post-processor that prepends BOS; {@code tokenizer_config.json} with a
 * ChatML chat template), so transformers, vLLM and DJL's tokenizer load it unchanged.
 */
public final class SyntheticTokenizer {

  public static final int VOCAB_SIZE = 512;
  public static final int BOS_ID = 0;
  public static final int EOS_ID = 1;
  public static final int IM_START_ID = 2;
  public static final int IM_END_ID = 3;
  public static final String BOS = "<|begin_of_text|>";
  public static final String EOS = "<|end_of_text|>";
  public static final String IM_START = "<|im_start|>";
  public static final String IM_END = "<|im_end|>";
  /** Ids that end generation: end of text, and end of a chat turn. */
  public static final List<Integer> EOS_IDS = List.of(EOS_ID, IM_END_ID);

  /**
   * ChatML turns after BOS, with tools shown and called as Hermes and Qwen2.5 do (calls between
   * {@code <tool_call>} tags), so tool calling runs on a synthetic model as on those models. Its renderings are
   * checked against Python's Jinja2 with the chat-fixtures test resources ({@code robin-synthetic}).
   */
  public static final String CHAT_TEMPLATE = readTemplate();

  private static final List<String> SPECIAL_TOKENS = List.of(BOS, EOS, IM_START, IM_END);
  private static final String CORPUS_RESOURCE = "bpe-corpus.txt";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static volatile SyntheticTokenizer instance;

  private final List<String> tokens;
  private final List<ByteLevelBpeTrainer.Merge> merges;

  private static String readTemplate() {
    try (java.io.InputStream in = SyntheticTokenizer.class.getResourceAsStream("chat_template.jinja")) {
      if (in == null) {
        throw new IllegalStateException("chat_template.jinja is missing from Robin's jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private SyntheticTokenizer(List<String> tokens, List<ByteLevelBpeTrainer.Merge> merges) {
    this.tokens = Collections.unmodifiableList(tokens);
    this.merges = Collections.unmodifiableList(merges);
  }

  /** The tokenizer, trained on first use (a few milliseconds) and the same in every run. */
  public static SyntheticTokenizer get() {
    SyntheticTokenizer t = instance;
    if (t == null) {
      synchronized (SyntheticTokenizer.class) {
        t = instance;
        if (t == null) {
          t = instance = train();
        }
      }
    }
    return t;
  }

  private static SyntheticTokenizer train() {
    List<String> tokens = new ArrayList<>(SPECIAL_TOKENS);
    for (int b = 0; b < 256; b++) {
      tokens.add(String.valueOf(ByteLevelAlphabet.symbolOf(b)));
    }
    Set<String> reserved = new HashSet<>(tokens);
    List<ByteLevelBpeTrainer.Merge> merges =
        ByteLevelBpeTrainer.train(corpus(), VOCAB_SIZE - tokens.size(), reserved);
    merges.forEach(m -> tokens.add(m.merged()));
    if (new HashSet<>(tokens).size() != VOCAB_SIZE) {
      throw new IllegalStateException("synthetic tokenizer vocabulary has duplicate tokens");
    }
    return new SyntheticTokenizer(tokens, merges);
  }

  private static String corpus() {
    try (InputStream in = SyntheticTokenizer.class.getResourceAsStream(CORPUS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + CORPUS_RESOURCE + " is missing from the engine jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Token strings by id (byte-level form: a space shows as {@code Ġ}). */
  public List<String> tokens() {
    return tokens;
  }

  public List<ByteLevelBpeTrainer.Merge> merges() {
    return merges;
  }

  /** Writes {@code tokenizer.json}, {@code tokenizer_config.json} and {@code special_tokens_map.json}. */
  public List<Path> writeTo(Path dir) throws IOException {
    Path tokenizerJson = dir.resolve("tokenizer.json");
    Path tokenizerConfig = dir.resolve("tokenizer_config.json");
    Path specialTokensMap = dir.resolve("special_tokens_map.json");
    JSON.writeValue(tokenizerJson.toFile(), tokenizerJson());
    JSON.writeValue(tokenizerConfig.toFile(), tokenizerConfig());
    JSON.writeValue(specialTokensMap.toFile(), specialTokensMap());
    return List.of(tokenizerJson, tokenizerConfig, specialTokensMap);
  }

  private ObjectNode tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      ObjectNode t = added.addObject();
      t.put("id", id);
      t.put("content", SPECIAL_TOKENS.get(id));
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(false, true));
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "Sequence");
    ArrayNode processors = post.putArray("processors");
    processors.add(byteLevel(true, false));
    processors.add(bosTemplate());
    root.set("decoder", byteLevel(true, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < tokens.size(); id++) {
      vocab.put(tokens.get(id), id);
    }
    ArrayNode mergeList = model.putArray("merges");
    merges.forEach(m -> mergeList.add(m.asTokenizerJson()));
    return root;
  }

  private static ObjectNode byteLevel(boolean addPrefixSpaceForDecoding, boolean trimOffsets) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "ByteLevel");
    // The pre-tokenizer must not add a prefix space (the text is taken as is); for the decoder and
    // post-processor the flag has no effect on text, and true is what GPT-2's files say.
    n.put("add_prefix_space", addPrefixSpaceForDecoding);
    n.put("trim_offsets", trimOffsets);
    n.put("use_regex", true);
    return n;
  }

  private static ObjectNode bosTemplate() {
    ObjectNode t = JSON.createObjectNode();
    t.put("type", "TemplateProcessing");
    ArrayNode single = t.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = t.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode bos = t.putObject("special_tokens").putObject(BOS);
    bos.put("id", BOS);
    bos.putArray("ids").add(BOS_ID);
    bos.putArray("tokens").add(BOS);
    return t;
  }

  private ObjectNode tokenizerConfig() {
    ObjectNode c = JSON.createObjectNode();
    c.put("add_bos_token", true);
    c.put("add_eos_token", false);
    ObjectNode decoder = c.putObject("added_tokens_decoder");
    for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
      ObjectNode t = decoder.putObject(String.valueOf(id));
      t.put("content", SPECIAL_TOKENS.get(id));
      t.put("lstrip", false);
      t.put("normalized", false);
      t.put("rstrip", false);
      t.put("single_word", false);
      t.put("special", true);
    }
    c.putArray("additional_special_tokens").add(IM_START).add(IM_END);
    c.put("bos_token", BOS);
    c.put("chat_template", CHAT_TEMPLATE);
    c.put("clean_up_tokenization_spaces", false);
    c.put("eos_token", EOS);
    c.putArray("model_input_names").add("input_ids").add("attention_mask");
    c.put("model_max_length", SyntheticPreset.MAX_POSITION_EMBEDDINGS);
    c.putNull("pad_token");
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    return c;
  }

  private static ObjectNode specialTokensMap() {
    ObjectNode m = JSON.createObjectNode();
    m.putArray("additional_special_tokens").add(IM_START).add(IM_END);
    m.put("bos_token", BOS);
    m.put("eos_token", EOS);
    return m;
  }
}
