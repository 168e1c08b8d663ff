package dev.robin.serving.replica;

import ai.djl.Device;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.load.LoadedModel;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds each replica's engine from the served {@link LoadedModel}s: the replica's model id picks the model
 * and {@link LoadedModel#createEngine()} loads its weights and KV cache on the calling thread, which is the
 * replica's own pinned thread. One factory serves every model of a shard region.
 */
public final class LoadedModelEngineFactory implements ModelEngineFactory {

  // Models finish loading one by one while the shard region already exists, hence a concurrent map.
  private final Map<String, LoadedModel> models = new ConcurrentHashMap<>();

  /** A factory for {@code models}; their ids must be distinct. */
  public LoadedModelEngineFactory(Collection<LoadedModel> models) {
    models.forEach(this::register);
  }

  /** Adds a model whose replicas may now start; an id served twice is refused. */
  public void register(LoadedModel model) {
    if (models.putIfAbsent(model.id(), model) != null) {
      throw new IllegalArgumentException("model id \"" + model.id() + "\" is served twice");
    }
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
    return model(replica).createEngine();
  }

  /** As {@link #create(ReplicaId)}, on {@code device} instead of the model's configured one. */
  public EngineCore create(ReplicaId replica, Device device) {
    return model(replica).createEngine(device);
  }

  private LoadedModel model(ReplicaId replica) {
    LoadedModel model = models.get(replica.modelId());
    if (model == null) {
      throw new IllegalArgumentException(
          "model \"" + replica.modelId() + "\" is not served here; served: " + models.keySet());
    }
    return model;
  }
}
