package dev.robin.app.launch;

/**
 * A model to serve, as {@code --model ID=PATH} names it: PATH is a Hugging Face model directory or
 * {@code synthetic:PRESET}.
 */
public record ModelSpec(String id, String path) {

  /** Parses {@code ID=PATH}; a bare PATH takes its last path element as id. */
  public static ModelSpec parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq > 0) {
      String id = spec.substring(0, eq).trim();
      String path = spec.substring(eq + 1).trim();
      if (path.isEmpty()) {
        throw new IllegalArgumentException("model spec '" + spec + "' has an empty PATH (expected ID=PATH)");
      }
      return new ModelSpec(id, path);
    }
    String path = spec.trim();
    if (path.isEmpty()) {
      throw new IllegalArgumentException("empty model spec (expected ID=PATH)");
    }
    String id = path.replaceAll("[/\\\\]+$", "");
    id = id.substring(Math.max(id.lastIndexOf('/'), id.lastIndexOf(':')) + 1);
    return new ModelSpec(id, path);
  }
}
