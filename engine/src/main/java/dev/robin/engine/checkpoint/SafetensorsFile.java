package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header of tensor names,
 * dtypes, shapes and byte offsets, then the raw data. Tensors are read on demand and widened to float32
 * in Java, so no BF16 array ever reaches DJL (whose PyTorch JNI aborts the JVM on bfloat16).
 *
 * <p>{@link #open} checks the whole header before any tensor is read: every entry must name a dtype the
 * format defines, have a byte range that matches its shape and lie inside the file, so a truncated download
 * fails at load time with the tensor it cuts, not halfway through building a model.
 */
public final class SafetensorsFile {

  /** Where one tensor lies in the file; {@code begin}/{@code end} are relative to the data section. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {

    /** Number of elements: the product of {@link #shape}. */
    public long numElements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private final Path path;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    this.path = path;
    this.dataStart = dataStart;
    this.entries = Collections.unmodifiableMap(entries);
    this.metadata = Collections.unmodifiableMap(metadata);
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
      if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
        throw new ModelLoadException(
            path + ": not a safetensors file (header length " + headerLen + " is outside 1.." + MAX_HEADER_BYTES
                + ")");
      }
      if (8 + headerLen > size) {
        throw new ModelLoadException(
            path + ": truncated safetensors file (header of " + headerLen + " bytes in a file of " + size + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = parseHeader(path, new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLen;
      long dataSize = size - dataStart;
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("__metadata__")) {
          f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        Entry e = parseEntry(path, f.getKey(), f.getValue());
        if (e.end() > dataSize) {
          throw new ModelLoadException(
              path + ": truncated safetensors file: tensor " + e.name() + " ends at byte " + (dataStart + e.end())
                  + " but the file has only " + size + " bytes");
        }
        entries.put(e.name(), e);
      }
      return new SafetensorsFile(path, dataStart, entries, metadata);
    } catch (NoSuchFileException e) {
      throw new ModelLoadException(path + ": safetensors file does not exist", e);
    } catch (IOException e) {
      throw new ModelLoadException(path + ": cannot read safetensors file: " + e.getMessage(), e);
    }
  }

  private static JsonNode parseHeader(Path path, String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ModelLoadException(
          path + ": corrupt safetensors header (not JSON: " + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelLoadException(path + ": corrupt safetensors header (not a JSON object)");
    }
    return root;
  }

  private static Entry parseEntry(Path path, String name, JsonNode t) {
    String where = path + ": tensor " + name;
    if (!t.isObject()) {
      throw new ModelLoadException(where + ": header entry is not a JSON object");
    }
    JsonNode dtypeNode = t.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) {
      throw new ModelLoadException(where + ": header entry has no \"dtype\"");
    }
    SafetensorsDtype dtype = SafetensorsDtype.fromHeader(dtypeNode.asText());
    if (dtype == null) {
      throw new ModelLoadException(where + " has unknown dtype " + dtypeNode.asText());
    }
    JsonNode shapeNode = t.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new ModelLoadException(where + ": header entry has no \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new ModelLoadException(where + " has invalid shape " + shapeNode);
      }
      shape[i] = d.asLong();
    }
    JsonNode offsets = t.get("data_offsets");
    if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
        || !offsets.get(1).isIntegralNumber()) {
      throw new ModelLoadException(where + ": header entry has no \"data_offsets\" pair");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new ModelLoadException(where + " has invalid data_offsets [" + begin + ", " + end + "]");
    }
    Entry e = new Entry(name, dtype.name(), shape, begin, end);
    long needed;
    try {
      needed = Math.multiplyExact(e.numElements(), (long) dtype.numBytes());
    } catch (ArithmeticException overflow) {
      throw new ModelLoadException(where + " has an impossibly large shape " + Arrays.toString(shape));
    }
    if (end - begin != needed) {
      throw new ModelLoadException(
          where + " holds " + (end - begin) + " bytes, but its shape " + Arrays.toString(shape) + " and dtype "
              + dtype + " need " + needed);
    }
    return e;
  }

  public Path path() {
    return path;
  }

  public Set<String> names() {
    return entries.keySet();
  }

  /** The entry of tensor {@code name}, or null when the file has none. */
  public Entry entry(String name) {
    return entries.get(name);
  }

  /** The header's {@code __metadata__} (string to string; empty when absent). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Reads one tensor widened to float32; fails naming the tensor if its dtype is not F32, F16 or BF16. */
  public HostTensor read(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new ModelLoadException(path + ": no tensor " + name);
    }
    SafetensorsDtype dtype = SafetensorsDtype.valueOf(e.dtype());
    if (!dtype.isReadable()) {
      throw new ModelLoadException(
          path + ": tensor " + name + " has unsupported dtype " + dtype + " (Robin reads "
              + SafetensorsDtype.readableNames() + ")");
    }
    long count = e.numElements();
    if (count > Integer.MAX_VALUE - 8) {
      throw new ModelLoadException(path + ": tensor " + name + " is too large for one Java array");
    }
    float[] out = new float[(int) count];
    if (count == 0) {
      return new HostTensor(name, e.shape(), out);
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      if (ch.size() < dataStart + e.end()) {
        throw new ModelLoadException(
            path + ": truncated safetensors file: tensor " + name + " ends at byte " + (dataStart + e.end())
                + " but the file now has only " + ch.size() + " bytes");
      }
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
          .order(ByteOrder.LITTLE_ENDIAN);
      switch (dtype) {
        case F32 -> buf.asFloatBuffer().get(out);
        case F16 -> {
          ShortBuffer s = buf.asShortBuffer();
          for (int i = 0; i < out.length; i++) {
            out[i] = Float16.toFloat(s.get(i));
          }
        }
        case BF16 -> {
          ShortBuffer s = buf.asShortBuffer();
          for (int i = 0; i < out.length; i++) {
            out[i] = Float16.bfloat16ToFloat(s.get(i));
          }
        }
        default -> throw new IllegalStateException("unreachable: " + dtype);
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
