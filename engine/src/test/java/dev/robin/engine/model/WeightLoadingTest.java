package dev.robin.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.checkpoint.Float16;
import dev.robin.engine.checkpoint.HostTensor;
import dev.robin.engine.checkpoint.SafetensorsDtype;
import dev.robin.engine.checkpoint.SafetensorsWriter;
import dev.robin.engine.config.ModelLoadException;
import dev.robin.engine.checkpoint.SafetensorsFile;
import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.scheduler.SequenceChunk;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading weights: bfloat16 checkpoints never reach DJL as bfloat16; missing or misshapen tensors are named. */
class WeightLoadingTest {

  @TempDir Path tmp;

  @Test
  void bf16CheckpointLoadsWithoutBf16ArraysAndMatchesF32() throws IOException {
    Checkpoint original = Checkpoint.open(TestModels.stories260k());
    SafetensorsFile file = SafetensorsFile.open(original.directory().resolve("model.safetensors"));
    Path bf16Dir = Files.createDirectories(tmp.resolve("bf16"));
    Path f32Dir = Files.createDirectories(tmp.resolve("f32"));
    SafetensorsWriter bf16 = new SafetensorsWriter();
    SafetensorsWriter f32 = new SafetensorsWriter();
    for (String name : file.names()) {
      HostTensor t = file.read(name);
      float[] rounded = t.data().clone();
      for (int i = 0; i < rounded.length; i++) {
        rounded[i] = Float16.bfloat16ToFloat(Float16.floatToBfloat16(rounded[i]));
      }
      bf16.add(name, SafetensorsDtype.BF16, t.shape(), t.data());
      f32.add(name, SafetensorsDtype.F32, t.shape(), rounded); // the same values, stored as F32
    }
    bf16.write(bf16Dir.resolve("model.safetensors"));
    f32.write(f32Dir.resolve("model.safetensors"));
    Files.copy(original.directory().resolve("config.json"), bf16Dir.resolve("config.json"));
    Files.copy(original.directory().resolve("config.json"), f32Dir.resolve("config.json"));

    int[] prompt = {1, 403, 407, 261, 378};
    float[] fromBf16;
    float[] fromF32;
    for (DataType dtype : new DataType[] {DataType.FLOAT32, DataType.FLOAT16}) {
      Checkpoint ck16 = Checkpoint.open(bf16Dir);
      try (LlamaRunner runner = LlamaRunner.create(ck16, ck16.config(), Device.cpu(), dtype, 4, 16)) {
        for (NDArray a : runner.weights().arrays()) {
          assertNotEquals(DataType.BFLOAT16, a.getDataType());
          assertEquals(dtype, a.getDataType());
          assertEquals(Device.cpu(), a.getDevice());
        }
        fromBf16 = prefill(runner, prompt);
      }
      Checkpoint ck32 = Checkpoint.open(f32Dir);
      try (LlamaRunner runner = LlamaRunner.create(ck32, ck32.config(), Device.cpu(), dtype, 4, 16)) {
        fromF32 = prefill(runner, prompt);
      }
      for (int i = 0; i < fromF32.length; i++) {
        assertEquals(fromF32[i], fromBf16[i], 1e-6 * (1 + Math.abs(fromF32[i])), dtype + " logit " + i);
      }
    }
  }

  @Test
  void missingTensorIsNamed() {
    ModelConfig cfg = RandomWeights.llama(64, 128, 2, 4, 2, 100, false, 64);
    RandomWeights random = new RandomWeights(1);
    TensorSource lacking = (name, shape) -> {
      if (name.equals("model.layers.1.mlp.up_proj.weight")) {
        throw new ModelLoadException("test checkpoint: missing tensor " + name);
      }
      return random.tensor(name, shape);
    };
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> LlamaRunner.create(lacking, cfg, Device.cpu(), DataType.FLOAT32, 4, 16));
    assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());
  }

  @Test
  void untiedModelWithoutLmHeadIsNamed() throws IOException {
    Path dir = writeModel("no-head", cfgJson(false), "lm_head.weight", null);
    Checkpoint ck = Checkpoint.open(dir);
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> LlamaRunner.create(ck, ck.config(), Device.cpu(), DataType.FLOAT32, 4, 16));
    assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
  }

  @Test
  void wrongShapeIsNamed() throws IOException {
    Path dir = writeModel("bad-shape", cfgJson(true), "model.layers.0.self_attn.k_proj.weight", new long[] {64, 64});
    Checkpoint ck = Checkpoint.open(dir);
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> LlamaRunner.create(ck, ck.config(), Device.cpu(), DataType.FLOAT32, 4, 16));
    assertTrue(e.getMessage().contains("model.layers.0.self_attn.k_proj.weight"), e.getMessage());
  }

  /** A tiny checkpoint (hidden 64, 4 heads, 2 KV heads) where {@code special} is left out or given {@code shape}. */
  private Path writeModel(String name, String config, String special, long[] specialShape) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.writeString(dir.resolve("config.json"), config);
    ModelConfig cfg = ModelConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(config), name);
    SafetensorsWriter w = new SafetensorsWriter();
    RandomWeights random = new RandomWeights(5);
    // Record every tensor the loader asks for, with the shape it expects.
    TensorSource recorder = (n, shape) -> {
      if (n.equals(special)) {
        if (specialShape != null) {
          w.add(n, SafetensorsDtype.F32, specialShape,
              new float[(int) Arrays.stream(specialShape).reduce(1, (a, b) -> a * b)]);
        }
      } else {
        w.add(n, SafetensorsDtype.F32, shape, random.tensor(n, shape).data());
      }
      return random.tensor(n, shape);
    };
    LlamaRunner.create(recorder, cfg, Device.cpu(), DataType.FLOAT32, 1, 1).close();
    w.write(dir.resolve("model.safetensors"));
    return dir;
  }

  private static String cfgJson(boolean tied) {
    return """
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100,
         "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "tie_word_embeddings": %s}
        """.formatted(tied);
  }

  private static float[] prefill(LlamaRunner runner, int[] prompt) {
    int[] table = Generation.contiguousBlocks(0, prompt.length, runner.blockSize());
    return Generation.step(runner, new SequenceChunk(1, prompt, 0, table, true)).get(1L);
  }
}
