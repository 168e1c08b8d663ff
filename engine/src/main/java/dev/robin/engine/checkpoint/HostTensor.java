package dev.robin.engine.checkpoint;

import java.util.Arrays;

/**
 * A weight tensor read from a checkpoint into Java memory, widened to float32 whatever its stored dtype
 * (F32, F16 or BF16), row-major.
 *
 * @param name the checkpoint's tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param shape dimensions, outermost first
 * @param data {@code product(shape)} values
 */
public record HostTensor(String name, long[] shape, float[] data) {

  public HostTensor {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          name + ": shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }
}
