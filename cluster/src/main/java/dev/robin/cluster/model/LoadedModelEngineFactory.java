package dev.robin.cluster.model;

import dev.robin.engine.core.EngineCore;
import dev.robin.engine.load.LoadedModel;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds each replica's engine from the served {@link LoadedModel}s: the replica's model id picks the model
 * and {@link LoadedModel#createEngine()} loads its weights and KV cache on the calling thread, which is the
 * replica's own pinned thread. One factory serves every model of a shard region.
 */
public final class LoadedModelEngineFactory implements ModelEngineFactory {

  private final Map<String, LoadedModel> models;

  /** A factory for {@code models}; their ids must be distinct. */
  public LoadedModelEngineFactory(Collection<LoadedModel> models) {
    Map<String, LoadedModel> byId = new LinkedHashMap<>();
    for (LoadedModel model : models) {
      if (byId.putIfAbsent(model.id(), model) != null) {
        throw new IllegalArgumentException("model id \"" + model.id() + "\" is served twice");
      }
    }
    this.models = Map.copyOf(byId);
  }

  /** A factory serving one model. */
  public static LoadedModelEngineFactory of(LoadedModel model) {
    return new LoadedModelEngineFactory(List.of(model));
  }

  /**
   * The engine of {@code replica}; an unknown model id fails (the replica then reports {@code FAILED}) naming
   * the models this node serves.
   */
  @Override
  public EngineCore create(ReplicaId replica) {
    LoadedModel model = models.get(replica.modelId());
    if (model == null) {
      throw new IllegalArgumentException(
          "model \"" + replica.modelId() + "\" is not served here; served: " + models.keySet());
    }
    return model.createEngine();
  }
}
