package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.engine.config.ModelConfig;
import dev.robin.engine.testkit.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading real and broken checkpoints: every failure names the file, tensor or field at fault. */
class CheckpointLoadingTest {

  @TempDir Path tmp;

  private static Path real() {
    return TestModels.stories260k();
  }

  /** A copy of stories260k's config and weights in the temp dir, to break at will. */
  private Path copyOfReal() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Files.copy(real().resolve("config.json"), dir.resolve("config.json"));
    Files.copy(real().resolve("model.safetensors"), dir.resolve("model.safetensors"));
    // The shared files are read-only; the copies must be writable to be cut.
    dir.resolve("model.safetensors").toFile().setWritable(true);
    dir.resolve("config.json").toFile().setWritable(true);
    return dir;
  }

  @Test
  void opensTheRealCheckpointWithItsConfigShapes() {
    Checkpoint ckpt = Checkpoint.open(real());
    ModelConfig c = ckpt.config();
    assertEquals("LlamaForCausalLM", c.architecture());
    assertEquals(64, c.hiddenSize());
    assertEquals(8, c.headDim());
    assertTrue(c.tieWordEmbeddings());
    HostTensor emb = ckpt.tensor("model.embed_tokens.weight", c.vocabSize(), c.hiddenSize());
    assertEquals(512 * 64, emb.data().length);
    assertEquals("F32", ckpt.entry("model.embed_tokens.weight").dtype());
    assertEquals(2 + 9 * c.numHiddenLayers(), ckpt.tensorNames().size());
  }

  @Test
  void missingConfigJsonIsNamed() throws IOException {
    Path dir = copyOfReal();
    Files.delete(dir.resolve("config.json"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void missingDirectoryIsNamed() {
    Path dir = tmp.resolve("nowhere");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void missingWeightsAreNamed() throws IOException {
    Path dir = copyOfReal();
    Files.delete(dir.resolve("model.safetensors"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
  }

  @Test
  void unknownArchitectureIsNamedWithTheSupportedOnes() throws IOException {
    Path dir = copyOfReal();
    String config = Files.readString(dir.resolve("config.json"))
        .replace("\"LlamaForCausalLM\"", "\"GPT2LMHeadModel\"");
    Files.writeString(dir.resolve("config.json"), config);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("unsupported architecture GPT2LMHeadModel"), e.getMessage());
    assertTrue(e.getMessage().contains("LlamaForCausalLM"), e.getMessage());
  }

  @Test
  void invalidHeadCountsAreNamed() throws IOException {
    Path dir = copyOfReal();
    String config = Files.readString(dir.resolve("config.json"))
        .replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 0");
    Files.writeString(dir.resolve("config.json"), config);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("num_key_value_heads 0"), e.getMessage());
  }

  @Test
  void truncatedDataNamesTheFirstTensorItCuts() throws IOException {
    Path dir = copyOfReal();
    Path file = dir.resolve("model.safetensors");
    long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size / 2);
    }
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("truncated safetensors file"), e.getMessage());
    assertTrue(e.getMessage().contains("tensor model."), e.getMessage());
    assertTrue(e.getMessage().contains(String.valueOf(size / 2)), e.getMessage());
  }

  @Test
  void truncatedHeaderIsNamed() throws IOException {
    Path dir = copyOfReal();
    Path file = dir.resolve("model.safetensors");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(100);
    }
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("truncated safetensors file (header of"), e.getMessage());
  }

  @Test
  void corruptHeaderIsNamed() throws IOException {
    Path file = tmp.resolve("bad.safetensors");
    writeRaw(file, "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", new byte[8]);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("corrupt safetensors header"), e.getMessage());
  }

  @Test
  void byteRangeThatDisagreesWithShapeIsNamed() throws IOException {
    Path file = tmp.resolve("bad.safetensors");
    writeRaw(file, "{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", new byte[8]);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("tensor w holds 8 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("need 12"), e.getMessage());
  }

  @Test
  void wrongShapeNamesTensorAndBothShapes() throws IOException {
    // A checkpoint whose embedding has one row too few for the config's vocab_size.
    Path dir = copyOfReal();
    Checkpoint original = Checkpoint.open(dir);
    SafetensorsWriter w = new SafetensorsWriter();
    for (String name : new TreeSet<>(original.tensorNames())) {
      HostTensor t = original.entry(name).shape().length == 2 && name.contains("embed")
          ? new HostTensor(name, new long[] {511, 64}, new float[511 * 64])
          : original.tensor(name, original.entry(name).shape());
      w.add(t);
    }
    w.write(dir.resolve("model.safetensors"));
    Checkpoint broken = Checkpoint.open(dir);
    ModelLoadException e = assertThrows(ModelLoadException.class,
        () -> broken.tensor("model.embed_tokens.weight", 512, 64));
    assertTrue(e.getMessage().contains("tensor model.embed_tokens.weight has shape [511, 64]"), e.getMessage());
    assertTrue(e.getMessage().contains("[512, 64]"), e.getMessage());
  }

  @Test
  void missingTensorIsNamed() {
    Checkpoint ckpt = Checkpoint.open(real());
    assertFalse(ckpt.has("lm_head.weight"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ckpt.tensor("lm_head.weight", 512, 64));
    assertTrue(e.getMessage().contains("missing tensor lm_head.weight"), e.getMessage());
  }

  @Test
  void unsupportedDtypeIsNamedWhenRead() throws IOException {
    Path file = tmp.resolve("int8.safetensors");
    writeRaw(file, "{\"__metadata__\":{\"format\":\"pt\"},\"q\":{\"dtype\":\"I8\",\"shape\":[2,2],"
        + "\"data_offsets\":[0,4]}}", new byte[] {1, 2, 3, 4});
    SafetensorsFile f = SafetensorsFile.open(file);
    assertEquals("pt", f.metadata().get("format"));
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> f.read("q"));
    assertTrue(e.getMessage().contains("tensor q has unsupported dtype I8"), e.getMessage());
    assertTrue(e.getMessage().contains("F32, F16, BF16"), e.getMessage());
  }

  @Test
  void dtypeTheFormatDoesNotDefineIsNamed() throws IOException {
    Path file = tmp.resolve("odd.safetensors");
    writeRaw(file, "{\"q\":{\"dtype\":\"Q4_K\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("tensor q has unknown dtype Q4_K"), e.getMessage());
  }

  @Test
  void halfAndBfloat16WidenToExactFloat32() throws IOException {
    short[] halfBits = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x0400, 0x3555, 0x7C00, (short) 0x8000};
    float[] halfValues = {1.0f, -2.0f, 65504f, 0x1p-24f, 0x1p-14f, 0.333251953125f, Float.POSITIVE_INFINITY, -0.0f};
    short[] bf16Bits = {0x3F80, (short) 0xC040, 0x4049, 0x0001, 0x7F7F, (short) 0xFF80};
    float[] bf16Values = {1.0f, -3.0f, 3.140625f, Float.intBitsToFloat(0x00010000),
        Float.intBitsToFloat(0x7F7F0000), Float.NEGATIVE_INFINITY};
    ByteBuffer data = ByteBuffer.allocate(2 * (halfBits.length + bf16Bits.length)).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : halfBits) {
      data.putShort(s);
    }
    for (short s : bf16Bits) {
      data.putShort(s);
    }
    Path file = tmp.resolve("halves.safetensors");
    writeRaw(file, "{\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[16,28]}}", data.array());
    SafetensorsFile f = SafetensorsFile.open(file);
    assertBitsEqual(halfValues, f.read("h").data());
    HostTensor b = f.read("b");
    assertArrayEquals(new long[] {2, 3}, b.shape());
    assertBitsEqual(bf16Values, b.data());
  }

  @Test
  void shardedCheckpointLoadsTheSameTensorsAsTheSingleFile() throws IOException {
    Checkpoint single = Checkpoint.open(real());
    Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(real().resolve("config.json"), dir.resolve("config.json"));
    List<String> names = new ArrayList<>(new TreeSet<>(single.tensorNames()));
    SafetensorsWriter first = new SafetensorsWriter();
    SafetensorsWriter second = new SafetensorsWriter();
    StringBuilder weightMap = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      boolean inFirst = i < names.size() / 2;
      (inFirst ? first : second).add(single.tensor(name, single.entry(name).shape()));
      String shard = inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
      weightMap.append(i == 0 ? "" : ",").append('"').append(name).append("\":\"").append(shard).append('"');
    }
    first.write(dir.resolve("model-00001-of-00002.safetensors"));
    second.write(dir.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + weightMap + "}}");

    Checkpoint sharded = Checkpoint.open(dir);
    assertEquals(single.tensorNames(), sharded.tensorNames());
    for (String name : names) {
      long[] shape = single.entry(name).shape();
      assertArrayEquals(single.tensor(name, shape).data(), sharded.tensor(name, shape).data(), name);
    }
  }

  @Test
  void shardTheIndexNamesButThatIsMissingIsNamed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(real().resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"model.norm.weight\":\"model-00001-of-00002.safetensors\"}}");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("names shard model-00001-of-00002.safetensors, which does not exist"),
        e.getMessage());
  }

  @Test
  void shardOutsideTheModelDirectoryIsRefused() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(real().resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"model.norm.weight\":\"../elsewhere.safetensors\"}}");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("outside the model directory"), e.getMessage());
  }

  @Test
  void indexWithoutWeightMapIsNamed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(real().resolve("config.json"), dir.resolve("config.json"));
    Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{}}");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> Checkpoint.open(dir));
    assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
  }

  static void writeRaw(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h).put(data);
    Files.write(file, buf.array());
  }

  static void assertBitsEqual(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
    }
  }
}
