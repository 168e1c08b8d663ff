package dev.robin.serving.stats;

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

  /**
   * One model's figures over all its replicas: counts and rates summed, KV usage over the pooled blocks,
   * step and constraint histograms and counters added, the hit rate and last step time averaged; READY when any replica is, else the first replica's status.
   */
  public Optional<ModelStats> summary(String modelId) {
    List<ModelStats> replicas = forModel(modelId);
    if (replicas.isEmpty()) {
      return Optional.empty();
    }
    if (replicas.size() == 1) {
      return Optional.of(replicas.get(0));
    }
    ModelStats first = replicas.get(0);
    ModelStats.Status status = replicas.stream().anyMatch(s -> s.status() == ModelStats.Status.READY)
        ? ModelStats.Status.READY : first.status();
    return Optional.of(new ModelStats(
        modelId,
        first.device(),
        first.kernel(),
        status,
        replicas.stream().mapToInt(ModelStats::numWaiting).sum(),
        replicas.stream().mapToInt(ModelStats::numRunning).sum(),
        replicas.stream().mapToLong(ModelStats::numPreemptedTotal).sum(),
        replicas.stream().mapToInt(ModelStats::numKvBlocksUsed).sum(),
        replicas.stream().mapToInt(ModelStats::numKvBlocksTotal).sum(),
        replicas.stream().mapToDouble(ModelStats::prefixCacheHitRate).average().orElse(0),
        replicas.stream().mapToDouble(ModelStats::lastStepMillis).average().orElse(0),
        replicas.stream().mapToDouble(ModelStats::tokensPerSecond1m).sum(),
        replicas.stream().mapToLong(ModelStats::numRequestsTotal).sum(),
        replicas.stream().mapToLong(ModelStats::numGeneratedTokensTotal).sum(),
        replicas.stream().mapToLong(ModelStats::numCancelledTotal).sum(),
        replicas.stream().map(ModelStats::steps).reduce(StepStats.EMPTY, StepStats::plus),
        replicas.stream().map(ModelStats::constraints).reduce(ConstraintStats.EMPTY, ConstraintStats::plus)));
  }

  /** Forgets a replica that stopped for good. */
  public void remove(String replicaId) {
    byReplica.remove(replicaId);
  }
}
