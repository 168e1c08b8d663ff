package dev.robin.serving.replica;

import dev.robin.engine.core.EngineCore;

/**
 * Builds the engine of one model replica (loads the weights, sizes the KV cache). Called once, on the
 * replica's own pinned thread, when its actor starts; a failure marks the replica {@code FAILED}.
 */
@FunctionalInterface
public interface ModelEngineFactory {

  EngineCore create(ReplicaId replica) throws Exception;
}
