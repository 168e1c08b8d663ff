package dev.robin.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test utility: writes a {@code .safetensors} file with F32 or BF16 (round-to-nearest-even) tensors. */
final class SafetensorsWriter {

  record Tensor(long[] shape, float[] data) {}

  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  SafetensorsWriter put(String name, long[] shape, float[] data) {
    tensors.put(name, new Tensor(shape, data));
    return this;
  }

  /** The bfloat16 value nearest to {@code f} (ties to even), as the upper half of a float32. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  static float roundToBf16(float f) {
    return Float.intBitsToFloat((toBf16(f) & 0xFFFF) << 16);
  }

  void write(Path file, boolean bf16) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    long offset = 0;
    int width = bf16 ? 2 : 4;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", bf16 ? "BF16" : "F32");
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long bytes = (long) e.getValue().data().length * width;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + headerBytes.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(headerBytes.length).put(headerBytes);
    for (Tensor t : tensors.values()) {
      for (float f : t.data()) {
        if (bf16) {
          buf.putShort(toBf16(f));
        } else {
          buf.putFloat(f);
        }
      }
    }
    Files.write(file, buf.array());
  }
}
