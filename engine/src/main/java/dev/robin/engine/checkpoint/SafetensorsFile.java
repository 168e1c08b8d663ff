package dev.robin.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header of tensor names,
 * dtypes, shapes and byte offsets, then the raw data. Tensors are read on demand and widened to float32
 * in Java, so no BF16 array ever reaches DJL (whose PyTorch JNI aborts the JVM on bfloat16).
 */
public final class SafetensorsFile {

  /** Where one tensor lies in the file. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private final Path path;
  private final long dataStart;
  private final Map<String, Entry> entries;

  private SafetensorsFile(Path path, long dataStart, Map<String, Entry> entries) {
    this.path = path;
    this.dataStart = dataStart;
    this.entries = entries;
  }

  /** Reads and validates the header; every entry must lie inside the file. */
  public static SafetensorsFile open(Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new ModelLoadException(path + ": truncated safetensors file (" + size + " bytes, no header)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
        throw new ModelLoadException(
            path + ": truncated or corrupt safetensors file (header of " + headerLen + " bytes in a file of "
                + size + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLen;
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("__metadata__")) {
          continue;
        }
        JsonNode t = f.getValue();
        JsonNode shapeNode = t.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeNode.get(i).asLong();
        }
        long begin = t.get("data_offsets").get(0).asLong();
        long end = t.get("data_offsets").get(1).asLong();
        Entry e = new Entry(f.getKey(), t.get("dtype").asText(), shape, begin, end);
        if (dataStart + end > size) {
          throw new ModelLoadException(
              path + ": truncated safetensors file: tensor " + e.name() + " ends at byte " + (dataStart + end)
                  + " but the file has " + size);
        }
        entries.put(e.name(), e);
      }
      return new SafetensorsFile(path, dataStart, entries);
    } catch (IOException e) {
      throw new ModelLoadException(path + ": cannot read safetensors file: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof ModelLoadException) {
        throw e;
      }
      throw new ModelLoadException(path + ": corrupt safetensors header: " + e, e);
    }
  }

  public Path path() {
    return path;
  }

  public Set<String> names() {
    return entries.keySet();
  }

  public Entry entry(String name) {
    return entries.get(name);
  }

  /** Reads one tensor widened to float32. */
  public HostTensor read(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new ModelLoadException(path + ": no tensor " + name);
    }
    long count = 1;
    for (long d : e.shape()) {
      count *= d;
    }
    int width = switch (e.dtype()) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> throw new ModelLoadException(
          path + ": tensor " + name + " has unsupported dtype " + e.dtype() + " (F32, F16, BF16)");
    };
    if (e.end() - e.begin() != count * width) {
      throw new ModelLoadException(
          path + ": tensor " + name + " holds " + (e.end() - e.begin()) + " bytes, its shape and dtype need "
              + count * width);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new ModelLoadException(path + ": tensor " + name + " is too large for one Java array");
    }
    float[] out = new float[(int) count];
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
          .order(ByteOrder.LITTLE_ENDIAN);
      switch (e.dtype()) {
        case "F32" -> buf.asFloatBuffer().get(out);
        case "F16" -> {
          for (int i = 0; i < out.length; i++) {
            out[i] = Float16.toFloat(buf.getShort());
          }
        }
        default -> {
          // A bfloat16 is the upper half of a float32.
          for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16);
          }
        }
      }
    } catch (IOException ex) {
      throw new ModelLoadException(path + ": cannot read tensor " + name + ": " + ex.getMessage(), ex);
    }
    return new HostTensor(name, e.shape(), out);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
