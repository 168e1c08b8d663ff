package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face model directory: {@code config.json}, one {@code model.safetensors} or shards listed in
 * {@code model.safetensors.index.json}, and the tokenizer files. Tensors are read on demand, widened to
 * float32 and checked against the shape the config implies.
 */
public final class Checkpoint implements TensorSource {

  /** The weights of an unsharded checkpoint. */
  public static final String SINGLE_FILE = "model.safetensors";
  /** The index of a sharded checkpoint: {@code weight_map} from tensor name to shard file. */
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final ModelConfig config;
  private final Map<String, SafetensorsFile> fileOfTensor;

  private Checkpoint(Path directory, ModelConfig config, Map<String, SafetensorsFile> fileOfTensor) {
    this.directory = directory;
    this.config = config;
    this.fileOfTensor = fileOfTensor;
  }

  /**
   * Opens a model directory, reading its config and every safetensors header. Fails with a message naming
   * the file and the problem: no config.json, an unsupported architecture, no weights, a shard the index
   * names but that is missing, a truncated file.
   */
  public static Checkpoint open(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ModelLoadException("model directory " + directory + " does not exist");
    }
    ModelConfig config = ModelConfig.read(directory);
    Path single = directory.resolve(SINGLE_FILE);
    Path index = directory.resolve(INDEX_FILE);
    Map<String, SafetensorsFile> fileOfTensor;
    if (Files.isRegularFile(single)) {
      SafetensorsFile f = SafetensorsFile.open(single);
      fileOfTensor = new HashMap<>();
      f.names().forEach(n -> fileOfTensor.put(n, f));
    } else if (Files.isRegularFile(index)) {
      fileOfTensor = openShards(directory, index);
    } else {
      throw new ModelLoadException(
          "no " + SINGLE_FILE + " or " + INDEX_FILE + " in model directory " + directory);
    }
    if (fileOfTensor.isEmpty()) {
      throw new ModelLoadException("model directory " + directory + " holds no tensors");
    }
    return new Checkpoint(directory, config, fileOfTensor);
  }

  private static Map<String, SafetensorsFile> openShards(Path directory, Path index) {
    JsonNode weightMap;
    try {
      weightMap = JSON.readTree(index.toFile()).path("weight_map");
    } catch (IOException e) {
      throw new ModelLoadException(index + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!weightMap.isObject() || weightMap.isEmpty()) {
      throw new ModelLoadException(index + " has no \"weight_map\" object naming the shards");
    }
    Path root = directory.toAbsolutePath().normalize();
    Map<String, SafetensorsFile> shards = new HashMap<>();
    Map<String, SafetensorsFile> fileOfTensor = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new ModelLoadException(index + ": weight_map entry " + e.getKey() + " is not a file name");
      }
      String shardName = e.getValue().asText();
      Path shardPath = root.resolve(shardName).normalize();
      if (!shardPath.getParent().equals(root)) {
        throw new ModelLoadException(index + " names shard " + shardName + " outside the model directory");
      }
      if (!Files.isRegularFile(shardPath)) {
        throw new ModelLoadException(index + " names shard " + shardName + ", which does not exist");
      }
      SafetensorsFile shard = shards.computeIfAbsent(shardName, s -> SafetensorsFile.open(shardPath));
      if (shard.entry(e.getKey()) == null) {
        throw new ModelLoadException(shardPath + " lacks tensor " + e.getKey() + " that the index places there");
      }
      fileOfTensor.put(e.getKey(), shard);
    }
    return fileOfTensor;
  }

  public Path directory() {
    return directory;
  }

  public ModelConfig config() {
    return config;
  }

  public Set<String> tensorNames() {
    return Collections.unmodifiableSet(fileOfTensor.keySet());
  }

  /** Where tensor {@code name} lies (dtype, shape, bytes), or null when the checkpoint has none. */
  public SafetensorsFile.Entry entry(String name) {
    SafetensorsFile f = fileOfTensor.get(name);
    return f == null ? null : f.entry(name);
  }

  @Override
  public boolean has(String name) {
    return fileOfTensor.containsKey(name);
  }

  /** Reads a tensor that must exist with exactly {@code expectedShape}. */
  @Override
  public HostTensor tensor(String name, long... expectedShape) {
    SafetensorsFile f = fileOfTensor.get(name);
    if (f == null) {
      throw new ModelLoadException(directory + ": missing tensor " + name);
    }
    long[] actual = f.entry(name).shape();
    if (!Arrays.equals(actual, expectedShape)) {
      throw new ModelLoadException(
          directory + ": tensor " + name + " has shape " + Arrays.toString(actual) + ", the config implies "
              + Arrays.toString(expectedShape));
    }
    return f.read(name);
  }
}
