package dev.robin.app.launch;

import ai.djl.Device;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.robin.engine.load.EngineOptions;
import dev.robin.serving.config.EngineSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model this node hosts, as {@code robin.models} (or {@code --model ID=PATH}) names it: PATH is a Hugging Face
 * model directory or {@code synthetic:PRESET}, and each of its replicas runs on its own device, on this node.
 *
 * @param devices one per replica this node hosts; empty: none (the node reads the model's text files and routes
 *     to the replicas of other nodes)
 */
public record ModelSpec(String id, String path, List<Device> devices) {

  /** The configuration path of the models a node hosts. */
  public static final String PATH = "robin.models";

  public ModelSpec {
    devices = List.copyOf(devices);
  }

  /** Parses {@code ID=PATH}; a bare PATH takes its last path element as id. Replicas run on {@code devices}. */
  public static ModelSpec parse(String spec, List<Device> devices) {
    int eq = spec.indexOf('=');
    if (eq > 0) {
      String id = spec.substring(0, eq).trim();
      String path = spec.substring(eq + 1).trim();
      if (path.isEmpty()) {
        throw new IllegalArgumentException("model spec '" + spec + "' has an empty PATH (expected ID=PATH)");
      }
      return new ModelSpec(id, path, devices);
    }
    String path = spec.trim();
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty model spec (expected ID=PATH)");
    }
    String id = path.replaceAll("[/\\\\]+$", "");
    id = id.substring(Math.max(id.lastIndexOf('/'), id.lastIndexOf(':')) + 1);
    return new ModelSpec(id, path, devices);
  }

  /**
   * The models of {@code robin.models}: each an {@code "ID=PATH"} string, whose replicas are
   * {@code robin.engine.replicas} on {@code robin.engine.device}, or an object
   * {@code {id, path, replicas = [{device = ...}, ...]}}; also a comma-separated string of {@code ID=PATH} (what
   * {@code ROBIN_MODELS} carries). Ids must be distinct.
   */
  public static List<ModelSpec> allFrom(Config root, EngineSettings engine) {
    List<Device> defaults = Collections.nCopies(engine.replicas(), engine.options().device());
    List<ModelSpec> specs = new ArrayList<>();
    ConfigValue value = root.getValue(PATH);
    if (value.valueType() == ConfigValueType.STRING) {
      for (String s : root.getString(PATH).split(",")) {
        if (!s.isBlank()) {
          specs.add(parse(s, defaults));
        }
      }
    } else {
      for (ConfigValue entry : root.getList(PATH)) {
        specs.add(entry.valueType() == ConfigValueType.OBJECT
            ? fromObject(((ConfigObject) entry).toConfig(), defaults)
            : parse(String.valueOf(entry.unwrapped()), defaults));
      }
    }
    Set<String> ids = new HashSet<>();
    for (ModelSpec spec : specs) {
      if (!ids.add(spec.id())) {
        throw new IllegalArgumentException(PATH + ": model id '" + spec.id() + "' is given twice");
      }
    }
    return List.copyOf(specs);
  }

  private static ModelSpec fromObject(Config entry, List<Device> defaults) {
    try {
      String id = entry.getString("id").trim();
      String path = entry.getString("path").trim();
      if (id.isEmpty() || path.isEmpty()) {
        throw new IllegalArgumentException(PATH + ": a model needs a non-empty id and path: " + entry.root().render());
      }
      if (!entry.hasPath("replicas")) {
        return new ModelSpec(id, path, defaults);
      }
      List<Device> devices = new ArrayList<>();
      for (Config replica : entry.getConfigList("replicas")) {
        devices.add(EngineOptions.parseDevice(replica.getString("device")));
      }
      return new ModelSpec(id, path, devices);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + ": " + e.getMessage(), e);
    }
  }
}
