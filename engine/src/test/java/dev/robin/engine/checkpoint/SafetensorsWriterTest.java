package dev.robin.engine.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's output follows the safetensors spec byte for byte and reads back exactly. */
class SafetensorsWriterTest {

  @TempDir Path tmp;

  @Test
  void headerFollowsTheSpec() throws IOException {
    Path file = tmp.resolve("a.safetensors");
    long size = new SafetensorsWriter()
        .add("b", SafetensorsDtype.F32, new long[] {3}, new float[] {1, 2, 3})
        .add("a.weight", SafetensorsDtype.F16, new long[] {2, 1}, new float[] {0.5f, -1})
        .add("c", SafetensorsDtype.BF16, new long[] {1}, new float[] {2})
        .write(file);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(bytes.length, size);
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, (8 + headerLen) % 8, "data section starts 8-byte aligned");
    String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
    assertTrue(header.strip().endsWith("}"), "only spaces pad the header: " + header);
    assertEquals(header.strip().length() + countTrailingSpaces(header), header.length());

    JsonNode root = new ObjectMapper().readTree(header);
    long expectedBegin = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      assertEquals(expectedBegin, e.getValue().get("data_offsets").get(0).asLong(), "contiguous " + e.getKey());
      expectedBegin = e.getValue().get("data_offsets").get(1).asLong();
    }
    assertEquals(bytes.length - 8 - headerLen, expectedBegin, "the data section holds exactly the tensors");
    assertEquals("F16", root.get("a.weight").get("dtype").asText());
    assertEquals("[2,1]", root.get("a.weight").get("shape").toString());
    assertEquals("[12,16]", root.get("a.weight").get("data_offsets").toString());
  }

  @Test
  void readsBackExactlyInEveryDtype() {
    Path file = tmp.resolve("b.safetensors");
    float[] values = {0f, -0f, 1f, -2.5f, 0.1f, 65504f, 1e-7f, Float.MIN_NORMAL, 3.4e38f, Float.NaN};
    new SafetensorsWriter()
        .add("f32", SafetensorsDtype.F32, new long[] {2, 5}, values)
        .add("f16", SafetensorsDtype.F16, new long[] {10}, values)
        .add("bf16", SafetensorsDtype.BF16, new long[] {10}, values)
        .write(file);
    SafetensorsFile f = SafetensorsFile.open(file);
    assertEquals("pt", f.metadata().get("format"));
    assertArrayEquals(new long[] {2, 5}, f.entry("f32").shape());
    CheckpointLoadingTest.assertBitsEqual(values, f.read("f32").data());
    float[] half = f.read("f16").data();
    float[] bf16 = f.read("bf16").data();
    for (int i = 0; i < values.length; i++) {
      assertEquals(Float16.toFloat(Float16.fromFloat(values[i])), half[i], "f16 " + values[i]);
      assertEquals(Float16.bfloat16ToFloat(Float16.floatToBfloat16(values[i])), bf16[i], "bf16 " + values[i]);
    }
    assertEquals(0.0999755859375f, half[4]);
    assertEquals(0.10009765625f, bf16[4]);
    assertTrue(Float.isInfinite(half[8]), "3.4e38 overflows half");
  }

  @Test
  void lazyTensorsAreFilledAtWriteTime() {
    Path file = tmp.resolve("c.safetensors");
    new SafetensorsWriter()
        .add("r", SafetensorsDtype.F32, new long[] {4, 4}, out -> Arrays.setAll(iota(out), i -> i))
        .write(file);
    float[] data = SafetensorsFile.open(file).read("r").data();
    assertEquals(15f, data[15]);
  }

  @Test
  void refusesBadInput() {
    SafetensorsWriter w = new SafetensorsWriter().add("x", SafetensorsDtype.F32, new long[] {1}, new float[1]);
    assertThrows(IllegalArgumentException.class,
        () -> w.add("x", SafetensorsDtype.F32, new long[] {1}, new float[1]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> w.add("y", SafetensorsDtype.F32, new long[] {2, 2}, new float[3]));
    assertTrue(e.getMessage().contains("tensor y"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> w.add("z", SafetensorsDtype.I8, new long[] {1}, new float[1]));
  }

  private static double[] iota(float[] out) {
    double[] d = new double[out.length];
    Arrays.setAll(d, i -> i);
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) d[i];
    }
    return d;
  }

  private static int countTrailingSpaces(String s) {
    int n = 0;
    for (int i = s.length() - 1; i >= 0 && s.charAt(i) == ' '; i--) {
      n++;
    }
    return n;
  }
}
