package dev.robin.engine.checkpoint;

import dev.robin.engine.config.ModelLoadException;
/**
 * Where a model's weights come from: a checkpoint on disk, or weights built in memory (synthetic models,
 * tests). Implementations fail with {@link ModelLoadException} when the tensor is missing or has another shape.
 */
@FunctionalInterface
public interface TensorSource {

  /** The tensor called {@code name}, which must have exactly {@code expectedShape}, widened to float32. */
  HostTensor tensor(String name, long... expectedShape);

  /** Whether a tensor exists (e.g. {@code lm_head.weight} of a model without tied embeddings). */
  default boolean has(String name) {
    try {
      return tensor(name) != null;
    } catch (ModelLoadException e) {
      return false;
    }
  }
}
