package dev.robin.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.robin.engine.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final ModelConfig config;
  private final Map<String, SafetensorsFile> fileOfTensor;

  private Checkpoint(Path directory, ModelConfig config, Map<String, SafetensorsFile> fileOfTensor) {
    this.directory = directory;
    this.config = config;
    this.fileOfTensor = fileOfTensor;
  }

  /** Opens a model directory, reading its config and every safetensors header. */
  public static Checkpoint open(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ModelLoadException("model directory " + directory + " does not exist");
    }
    ModelConfig config = ModelConfig.read(directory);
    Map<String, SafetensorsFile> fileOfTensor = new HashMap<>();
    Path single = directory.resolve("model.safetensors");
    Path index = directory.resolve("model.safetensors.index.json");
    if (Files.isRegularFile(single)) {
      SafetensorsFile f = SafetensorsFile.open(single);
      f.names().forEach(n -> fileOfTensor.put(n, f));
    } else if (Files.isRegularFile(index)) {
      JsonNode map;
      try {
        map = JSON.readTree(index.toFile()).path("weight_map");
      } catch (IOException e) {
        throw new ModelLoadException(index + " is not valid JSON: " + e.getMessage(), e);
      }
      Map<String, SafetensorsFile> shards = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String shardName = e.getValue().asText();
        Path shardPath = directory.resolve(shardName);
        if (!Files.isRegularFile(shardPath)) {
          throw new ModelLoadException(index + " names shard " + shardName + ", which does not exist");
        }
        SafetensorsFile shard = shards.computeIfAbsent(shardName, s -> SafetensorsFile.open(shardPath));
        if (shard.entry(e.getKey()) == null) {
          throw new ModelLoadException(shardPath + " lacks tensor " + e.getKey() + " that the index places there");
        }
        fileOfTensor.put(e.getKey(), shard);
      }
    } else {
      throw new ModelLoadException(
          "no model.safetensors or model.safetensors.index.json in model directory " + directory);
    }
    return new Checkpoint(directory, config, fileOfTensor);
  }

  public Path directory() {
    return directory;
  }

  public ModelConfig config() {
    return config;
  }

  public Set<String> tensorNames() {
    return fileOfTensor.keySet();
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
