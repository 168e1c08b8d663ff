package dev.robin.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json parsing: defaults, generation_config's extra EOS ids, and a named error per bad field. */
class ModelConfigTest {

  @TempDir Path tmp;

  private static final String BASE = "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64,"
      + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100";

  private ModelConfig parse(String extra) throws IOException {
    return ModelConfig.fromJson(new ObjectMapper().readTree(BASE + extra + "}"), "test config.json");
  }

  private ModelLoadException failure(String extra) {
    return assertThrows(ModelLoadException.class, () -> parse(extra));
  }

  @Test
  void defaultsFollowTransformersLlamaConfig() throws IOException {
    ModelConfig c = parse("");
    assertEquals(4, c.numKeyValueHeads(), "no num_key_value_heads: multi-head attention");
    assertEquals(16, c.headDim());
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(10000.0, c.ropeTheta());
    assertEquals(false, c.tieWordEmbeddings());
    assertNull(c.ropeScaling());
    assertEquals("float32", c.torchDtype());
    assertEquals("bfloat16", parse(",\"dtype\":\"bfloat16\"").torchDtype(), "transformers 4.56+ key");
  }

  @Test
  void badFieldsAreNamed() {
    assertTrue(failure(",\"num_key_value_heads\":3").getMessage().contains("not a multiple"));
    assertTrue(failure(",\"num_key_value_heads\":0").getMessage().contains("num_key_value_heads 0"));
    assertTrue(failure(",\"num_key_value_heads\":8").getMessage().contains("num_key_value_heads 8"));
    assertTrue(failure(",\"head_dim\":-2").getMessage().contains("head_dim -2"));
    assertTrue(failure(",\"hidden_act\":\"gelu\"").getMessage().contains("unsupported hidden_act gelu"));
    assertTrue(failure(",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}").getMessage()
        .contains("unsupported rope_scaling type \"yarn\""));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfig.fromJson(
        new ObjectMapper().readTree("{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":63,"
            + "\"intermediate_size\":1,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"vocab_size\":9}"), "x"));
    assertTrue(e.getMessage().contains("hidden_size 63 is not a multiple of num_attention_heads 4"), e.getMessage());
    assertTrue(failure(",\"vocab_size\":\"many\"").getMessage().contains("\"vocab_size\""));
  }

  @Test
  void generationConfigAddsItsEosIds() throws IOException {
    Files.writeString(tmp.resolve("config.json"), BASE + ",\"eos_token_id\":2}");
    Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\":[2,7]}");
    assertEquals(List.of(2, 7), ModelConfig.read(tmp).eosTokenIds());
    Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\":");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfig.read(tmp));
    assertTrue(e.getMessage().contains("generation_config.json is not valid JSON"), e.getMessage());
  }

  @Test
  void configThatIsNotJsonIsNamed() throws IOException {
    Files.writeString(tmp.resolve("config.json"), "{\"architectures\": [");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfig.read(tmp));
    assertTrue(e.getMessage().contains("config.json of " + tmp + " is not valid JSON"), e.getMessage());
  }

  private static ModelConfig parseArch(String arch, int layers, String extra) throws IOException {
    return ModelConfig.fromJson(new ObjectMapper().readTree("{\"architectures\":[\"" + arch + "\"],"
        + "\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":" + layers + ","
        + "\"num_attention_heads\":4,\"vocab_size\":100" + extra + "}"), "test config.json");
  }

  @Test
  void llamaHasNoSlidingWindow() throws IOException {
    assertNull(parse(",\"sliding_window\":16").slidingWindow(), "LlamaConfig has no sliding_window");
  }

  @Test
  void mistralWindowCoversEveryLayer() throws IOException {
    ModelConfig c = parseArch("MistralForCausalLM", 3, ",\"sliding_window\":4096");
    assertEquals(new ModelConfig.SlidingWindow(4096, List.of(0, 1, 2)), c.slidingWindow());
    assertEquals(4096, c.slidingWindowOf(0));
    assertEquals(4096, c.slidingWindowOf(2));
    assertEquals(4096, parseArch("MistralForCausalLM", 3, "").slidingWindow().size(),
        "MistralConfig's default when the key is absent");
  }

  @Test
  void mistralWithNullWindowAttendsToEverything() throws IOException {
    ModelConfig c = parseArch("MistralForCausalLM", 3, ",\"sliding_window\":null");
    assertNull(c.slidingWindow());
    assertEquals(0, c.slidingWindowOf(1));
  }

  @Test
  void qwen2WithoutUseSlidingWindowIgnoresTheWindow() throws IOException {
    // As Qwen2.5 checkpoints ship: a window and max_window_layers, but use_sliding_window false.
    assertNull(parseArch("Qwen2ForCausalLM", 4,
        ",\"use_sliding_window\":false,\"sliding_window\":32768,\"max_window_layers\":2").slidingWindow());
    assertNull(parseArch("Qwen2ForCausalLM", 4, ",\"sliding_window\":32768").slidingWindow(), "default false");
  }

  @Test
  void qwen2SlidesTheLayersFromMaxWindowLayersOn() throws IOException {
    ModelConfig c = parseArch("Qwen2ForCausalLM", 4,
        ",\"use_sliding_window\":true,\"sliding_window\":16,\"max_window_layers\":2");
    assertEquals(new ModelConfig.SlidingWindow(16, List.of(2, 3)), c.slidingWindow());
    assertEquals(0, c.slidingWindowOf(1));
    assertEquals(16, c.slidingWindowOf(2));
    assertNull(parseArch("Qwen2ForCausalLM", 4, ",\"use_sliding_window\":true,\"sliding_window\":16")
        .slidingWindow(), "default max_window_layers 28: no layer of 4 slides");
    assertNull(parseArch("Qwen2ForCausalLM", 4,
        ",\"use_sliding_window\":true,\"sliding_window\":null,\"max_window_layers\":0").slidingWindow());
  }

  @Test
  void qwen2LayerTypesWinOverMaxWindowLayers() throws IOException {
    ModelConfig c = parseArch("Qwen2ForCausalLM", 3, ",\"use_sliding_window\":true,\"sliding_window\":8,"
        + "\"max_window_layers\":0,\"layer_types\":[\"sliding_attention\",\"full_attention\",\"sliding_attention\"]");
    assertNotNull(c.slidingWindow());
    assertEquals(List.of(0, 2), c.slidingWindow().layers());
    assertTrue(assertThrows(ModelLoadException.class, () -> parseArch("Qwen2ForCausalLM", 3,
        ",\"use_sliding_window\":true,\"layer_types\":[\"full_attention\"]")).getMessage()
        .contains("one attention type per layer (3)"));
    assertTrue(assertThrows(ModelLoadException.class, () -> parseArch("Qwen2ForCausalLM", 1,
        ",\"use_sliding_window\":true,\"layer_types\":[\"chunked_attention\"]")).getMessage()
        .contains("unsupported layer_types entry \"chunked_attention\""));
  }

  @Test
  void badSlidingWindowIsNamed() {
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> parseArch("MistralForCausalLM", 2, ",\"sliding_window\":0"));
    assertTrue(e.getMessage().contains("sliding_window 0 must be a positive integer or null"), e.getMessage());
    assertThrows(ModelLoadException.class, () -> parseArch("MistralForCausalLM", 2, ",\"sliding_window\":\"big\""));
  }

  @Test
  void generationConfigKeepsTheWindow() throws IOException {
    Files.writeString(tmp.resolve("config.json"), "{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":64,"
        + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"vocab_size\":100,"
        + "\"sliding_window\":32,\"eos_token_id\":2}");
    Files.writeString(tmp.resolve("generation_config.json"), "{\"eos_token_id\":[2,7]}");
    ModelConfig c = ModelConfig.read(tmp);
    assertEquals(List.of(2, 7), c.eosTokenIds());
    assertEquals(32, c.slidingWindowOf(1));
  }
}
