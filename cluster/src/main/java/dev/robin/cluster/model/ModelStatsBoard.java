package dev.robin.cluster.model;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest {@link ModelStats} of every model replica, written by the model actors after each step and
 * read by {@code /health} and {@code /metrics} from any thread without messaging (and so without waiting
 * on) the step loops.
 */
public final class ModelStatsBoard {

  private final ConcurrentMap<String, AtomicReference<ModelStats>> byReplica = new ConcurrentHashMap<>();

  /** Replaces the stats of replica {@code replicaId} (an entity id, {@code <modelId>#<replica>}). */
  public void publish(String replicaId, ModelStats stats) {
    byReplica.computeIfAbsent(replicaId, id -> new AtomicReference<>()).set(stats);
  }

  public Optional<ModelStats> get(String replicaId) {
    AtomicReference<ModelStats> ref = byReplica.get(replicaId);
    return ref == null ? Optional.empty() : Optional.ofNullable(ref.get());
  }

  /** Every replica's stats of one model. */
  public List<ModelStats> forModel(String modelId) {
    return all().stream().filter(s -> s.modelId().equals(modelId)).toList();
  }

  /** Every replica's stats, ordered by model id. */
  public List<ModelStats> all() {
    Collection<AtomicReference<ModelStats>> refs = byReplica.values();
    return refs.stream()
        .map(AtomicReference::get)
        .filter(s -> s != null)
        .sorted(Comparator.comparing(ModelStats::modelId))
        .toList();
  }

  /** Forgets a replica that stopped for good. */
  public void remove(String replicaId) {
    byReplica.remove(replicaId);
  }
}
