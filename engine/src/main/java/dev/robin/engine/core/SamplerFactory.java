package dev.robin.engine.core;

import dev.robin.engine.sampling.Sampler;
import dev.robin.engine.sampling.SamplingParams;

/** Makes the sampler of one new sequence; may throw IllegalArgumentException for unusable parameters. */
@FunctionalInterface
public interface SamplerFactory {

  Sampler create(SamplingParams params);
}
