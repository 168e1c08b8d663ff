package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a standard {@code .safetensors} file, readable by the Python {@code safetensors} library (and so by
 * transformers, vLLM and llama.cpp's converter): an 8-byte little-endian header length, a JSON header whose
 * {@code __metadata__} is {@code {"format":"pt"}} and whose entries give {@code dtype}, {@code shape} and
 * {@code data_offsets}, padded with spaces to a multiple of 8 bytes, then the tensors back to back in the
 * order they were added.
 *
 * <p>Values are given as float32 and narrowed on write to F16 or BF16 (round to nearest even) when asked.
 * Tensors may be supplied lazily ({@link TensorData}), so a writer holds one tensor in memory at a time.
 */
public final class SafetensorsWriter {

  /** Produces a tensor's values on demand, into an array of exactly its element count. */
  @FunctionalInterface
  public interface TensorData {
    void fill(float[] out);
  }

  private record Pending(String name, SafetensorsDtype dtype, long[] shape, int numElements, TensorData data) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ALIGNMENT = 8;

  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final List<Pending> tensors = new ArrayList<>();
  private final Set<String> names = new HashSet<>();

  /** A writer whose metadata is {@code {"format":"pt"}}, as PyTorch's {@code save_file} writes it. */
  public SafetensorsWriter() {
    metadata.put("format", "pt");
  }

  /** Adds (or replaces) a {@code __metadata__} entry. */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a float32 tensor. */
  public SafetensorsWriter add(HostTensor tensor) {
    return add(tensor.name(), SafetensorsDtype.F32, tensor.shape(), tensor.data());
  }

  /** Adds a tensor stored as {@code dtype} (F32, F16 or BF16) from float32 values. */
  public SafetensorsWriter add(String name, SafetensorsDtype dtype, long[] shape, float[] values) {
    int n = numElements(name, shape);
    if (values.length != n) {
      throw new IllegalArgumentException(
          "tensor " + name + ": shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
    }
    return add(name, dtype, shape, out -> System.arraycopy(values, 0, out, 0, n));
  }

  /** Adds a tensor whose values are produced when the file is written. */
  public SafetensorsWriter add(String name, SafetensorsDtype dtype, long[] shape, TensorData data) {
    if (dtype != SafetensorsDtype.F32 && dtype != SafetensorsDtype.F16 && dtype != SafetensorsDtype.BF16) {
      throw new IllegalArgumentException("tensor " + name + ": cannot write dtype " + dtype + " (F32, F16, BF16)");
    }
    if (name.isEmpty() || name.equals("__metadata__")) {
      throw new IllegalArgumentException("invalid tensor name \"" + name + "\"");
    }
    if (!names.add(name)) {
      throw new IllegalArgumentException("tensor " + name + " added twice");
    }
    tensors.add(new Pending(name, dtype, shape.clone(), numElements(name, shape), data));
    return this;
  }

  /** Sum of the tensors' element counts. */
  public long numElements() {
    return tensors.stream().mapToLong(Pending::numElements).sum();
  }

  /** Writes the file, replacing any file at {@code path}; returns its size in bytes. */
  public long write(Path path) {
    byte[] header = header();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer prefix = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
      prefix.putLong(header.length).put(header).flip();
      writeFully(ch, prefix);
      ByteBuffer buf = ByteBuffer.allocate(0);
      for (Pending t : tensors) {
        float[] values = new float[t.numElements()];
        t.data().fill(values);
        int numBytes = values.length * t.dtype().numBytes();
        if (buf.capacity() < numBytes) {
          buf = ByteBuffer.allocateDirect(numBytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        buf.clear();
        encode(t.dtype(), values, buf);
        buf.flip();
        writeFully(ch, buf);
      }
      return ch.size();
    } catch (IOException e) {
      throw new ModelLoadException(path + ": cannot write safetensors file: " + e.getMessage(), e);
    }
  }

  private byte[] header() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode meta = root.putObject("__metadata__");
    metadata.forEach(meta::put);
    long offset = 0;
    for (Pending t : tensors) {
      long end = offset + (long) t.numElements() * t.dtype().numBytes();
      ObjectNode entry = root.putObject(t.name());
      entry.put("dtype", t.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise safetensors header", e);
    }
    // The spec allows trailing spaces in the header; padding to 8 bytes keeps the data section aligned.
    int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  private static void encode(SafetensorsDtype dtype, float[] values, ByteBuffer buf) {
    switch (dtype) {
      case F32 -> {
        buf.asFloatBuffer().put(values);
        buf.position(buf.position() + values.length * 4);
      }
      case F16 -> {
        for (float v : values) {
          buf.putShort(Float16.fromFloat(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          buf.putShort(Float16.floatToBfloat16(v));
        }
      }
      default -> throw new IllegalStateException("unreachable: " + dtype);
    }
  }

  private static int numElements(String name, long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor " + name + ": negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("tensor " + name + " is too large for one Java array");
      }
    }
    return (int) n;
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
