package dev.robin.engine.config;

/** A model that cannot be loaded: the message names the file, tensor, field or value at fault. */
public class ModelLoadException extends RuntimeException {

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
