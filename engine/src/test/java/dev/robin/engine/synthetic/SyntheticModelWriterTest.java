package dev.robin.engine.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.Float16;
import dev.robin.engine.checkpoint.HostTensor;
import dev.robin.engine.checkpoint.LlamaTensorLayout;
import dev.robin.engine.checkpoint.SafetensorsDtype;
import dev.robin.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A written synthetic model is a complete, standard Llama checkpoint, and the same bytes every time. */
class SyntheticModelWriterTest {

  @TempDir static Path tmp;
  static SyntheticModelWriter.WrittenModel tiny;

  @BeforeAll
  static void writeTiny() {
    tiny = SyntheticModelWriter.write(SyntheticPreset.TINY, tmp.resolve("tiny"));
  }

  /** The Llama layout, spelled out here rather than taken from LlamaTensorLayout, so the test checks it. */
  private static Map<String, long[]> expectedTensors(ModelConfig c) {
    long h = c.hiddenSize();
    long q = (long) c.numAttentionHeads() * c.headDim();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long i = c.intermediateSize();
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      m.put(p + "input_layernorm.weight", new long[] {h});
      m.put(p + "post_attention_layernorm.weight", new long[] {h});
      m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      m.put(p + "mlp.gate_proj.weight", new long[] {i, h});
      m.put(p + "mlp.up_proj.weight", new long[] {i, h});
      m.put(p + "mlp.down_proj.weight", new long[] {h, i});
    }
    m.put("model.norm.weight", new long[] {h});
    if (!c.tieWordEmbeddings()) {
      m.put("lm_head.weight", new long[] {c.vocabSize(), h});
    }
    return m;
  }

  @Test
  void loadsBackThroughCheckpointOpenWithEveryLlamaTensor() {
    Checkpoint ckpt = Checkpoint.open(tiny.directory());
    ModelConfig c = ckpt.config();
    assertEquals(SyntheticPreset.TINY.config(), c, "config.json reads back as the preset's config");
    assertEquals(256, c.hiddenSize());
    assertEquals(64, c.headDim());
    assertEquals(2, c.numKeyValueHeads());
    assertEquals(2048, c.maxPositionEmbeddings());
    assertEquals(List.of(SyntheticTokenizer.EOS_ID, SyntheticTokenizer.IM_END_ID), c.eosTokenIds());
    Map<String, long[]> expected = expectedTensors(c);
    assertEquals(expected.keySet(), ckpt.tensorNames());
    long numParameters = 0;
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      HostTensor t = ckpt.tensor(e.getKey(), e.getValue());
      assertEquals("F32", ckpt.entry(e.getKey()).dtype());
      numParameters += t.data().length;
    }
    assertEquals(numParameters, tiny.numParameters());
    assertTrue(numParameters > 2_000_000 && numParameters < 5_000_000, "a few million: " + numParameters);
  }

  @Test
  void normsAreOneAndWeightsAreNormalWithStd002() {
    Checkpoint ckpt = Checkpoint.open(tiny.directory());
    for (float v : ckpt.tensor("model.layers.3.post_attention_layernorm.weight", 256).data()) {
      assertEquals(1.0f, v);
    }
    float[] w = ckpt.tensor("model.layers.0.mlp.gate_proj.weight", 688, 256).data();
    double sum = 0;
    double sumSq = 0;
    int beyond3Sigma = 0;
    for (float v : w) {
      sum += v;
      sumSq += (double) v * v;
      if (Math.abs(v) > 0.06) {
        beyond3Sigma++;
      }
    }
    double mean = sum / w.length;
    double std = Math.sqrt(sumSq / w.length - mean * mean);
    assertEquals(0.0, mean, 2e-4);
    assertEquals(0.02, std, 2e-4);
    // A normal puts 0.27 % beyond three sigma; a uniform of the same std puts none there.
    assertEquals(0.0027, beyond3Sigma / (double) w.length, 0.001);
    float[] other = ckpt.tensor("model.layers.1.mlp.gate_proj.weight", 688, 256).data();
    assertFalse(w[0] == other[0] && w[1] == other[1], "each tensor has its own random stream");
  }

  @Test
  void writesStandardHuggingFaceFiles() throws IOException {
    Path dir = tiny.directory();
    Set<String> names = new HashSet<>();
    tiny.files().forEach(f -> names.add(f.getFileName().toString()));
    assertTrue(names.containsAll(Set.of("config.json", "generation_config.json", "model.safetensors",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")), names.toString());
    ObjectMapper json = new ObjectMapper();
    JsonNode config = json.readTree(dir.resolve("config.json").toFile());
    assertEquals("LlamaForCausalLM", config.get("architectures").get(0).asText());
    assertEquals("llama", config.get("model_type").asText());
    assertEquals("float32", config.get("torch_dtype").asText());
    assertEquals(SyntheticTokenizer.BOS_ID, config.get("bos_token_id").asInt());
    JsonNode generation = json.readTree(dir.resolve("generation_config.json").toFile());
    assertEquals("[1,3]", generation.get("eos_token_id").toString());
    JsonNode tokenizerConfig = json.readTree(dir.resolve("tokenizer_config.json").toFile());
    assertTrue(tokenizerConfig.get("add_bos_token").asBoolean());
    assertEquals(SyntheticTokenizer.BOS, tokenizerConfig.get("bos_token").asText());
    assertEquals(SyntheticTokenizer.EOS, tokenizerConfig.get("eos_token").asText());
    assertTrue(tokenizerConfig.get("chat_template").asText().contains("<|im_start|>"));
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(dir)) {
      assertEquals("naïve café 🐦", tok.decode(tok.encode("naïve café 🐦").getIds(), true));
    }
  }

  @Test
  void twoGenerationsAreByteIdentical() throws IOException {
    SyntheticModelWriter.WrittenModel again = SyntheticModelWriter.write(SyntheticPreset.TINY, tmp.resolve("again"));
    for (Path f : tiny.files()) {
      Path g = again.directory().resolve(f.getFileName());
      assertEquals(-1L, Files.mismatch(f, g), f.getFileName() + " differs between two generations");
    }
  }

  @Test
  void halfPrecisionWeightsAreTheFloat32OnesRounded() {
    Path dir = tmp.resolve("f16");
    SyntheticModelWriter.write(SyntheticPreset.TINY, dir, SafetensorsDtype.F16);
    Checkpoint half = Checkpoint.open(dir);
    Checkpoint full = Checkpoint.open(tiny.directory());
    assertEquals("float16", half.config().torchDtype());
    assertEquals("F16", half.entry("model.layers.0.self_attn.q_proj.weight").dtype());
    float[] h = half.tensor("model.layers.0.self_attn.q_proj.weight", 256, 256).data();
    float[] f = full.tensor("model.layers.0.self_attn.q_proj.weight", 256, 256).data();
    for (int i = 0; i < h.length; i++) {
      assertEquals(Float16.toFloat(Float16.fromFloat(f[i])), h[i]);
    }
  }

  @Test
  void presetsHaveTheDocumentedShapes() {
    ModelConfig m25 = SyntheticPreset.LLAMA_25M.config();
    assertEquals(List.of(512, 1408, 8, 8, 8, 512, 2048),
        List.of(m25.hiddenSize(), m25.intermediateSize(), m25.numHiddenLayers(), m25.numAttentionHeads(),
            m25.numKeyValueHeads(), m25.vocabSize(), m25.maxPositionEmbeddings()));
    assertTrue(m25.tieWordEmbeddings());
    ModelConfig m75 = SyntheticPreset.LLAMA_75M.config();
    assertEquals(List.of(768, 2048, 12, 12, 4, 512, 2048),
        List.of(m75.hiddenSize(), m75.intermediateSize(), m75.numHiddenLayers(), m75.numAttentionHeads(),
            m75.numKeyValueHeads(), m75.vocabSize(), m75.maxPositionEmbeddings()));
    assertFalse(m75.tieWordEmbeddings());
    assertEquals(expectedTensors(m75).keySet(),
        new HashSet<>(LlamaTensorLayout.of(m75).stream().map(LlamaTensorLayout.TensorSpec::name).toList()));
    assertTrue(expectedTensors(m75).containsKey("lm_head.weight"));
    long p25 = SyntheticPreset.LLAMA_25M.numParameters();
    long p75 = SyntheticPreset.LLAMA_75M.numParameters();
    assertTrue(p25 > 24_000_000 && p25 < 28_000_000, "llama-25m: " + p25);
    assertTrue(p75 > 73_000_000 && p75 < 79_000_000, "llama-75m: " + p75);
  }

  @Test
  void weightStreamsAreFixedAcrossRuns() {
    // Pinned values: a change here changes every synthetic model, so ModelLocator's format version must grow.
    float[] out = new float[4];
    SyntheticWeights.fillNormal(SyntheticPreset.TINY.seed(), "model.embed_tokens.weight", 0.02f, out);
    float[] again = new float[4];
    SyntheticWeights.fillNormal(SyntheticPreset.TINY.seed(), "model.embed_tokens.weight", 0.02f, again);
    assertArrayEquals(out, again);
    assertArrayEquals(PINNED_EMBEDDING_START, out, "generator output changed: bump SYNTHETIC_FORMAT_VERSION");
  }

  private static final float[] PINNED_EMBEDDING_START = {-7.1346154E-4f, -0.010349476f, -0.0061273165f, -0.0010431434f};
}
