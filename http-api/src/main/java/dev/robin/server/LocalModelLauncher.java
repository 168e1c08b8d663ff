package dev.robin.server;

import com.typesafe.config.Config;
import dev.robin.api.model.ServedModel;
import dev.robin.cluster.model.LoadedModelEngineFactory;
import dev.robin.cluster.model.ModelActor;
import dev.robin.cluster.model.ModelProtocol;
import dev.robin.cluster.model.ModelStats;
import dev.robin.cluster.model.ModelStatsBoard;
import dev.robin.cluster.model.ReplicaId;
import dev.robin.cluster.model.SchedulerSettings;
import dev.robin.engine.load.EngineOptions;
import dev.robin.engine.load.LoadedModel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Serves a model on this node with one {@link ModelActor} replica, spawned directly (no sharding): opens the
 * checkpoint, tokenizer and chat template on the blocking dispatcher, then starts the replica on its pinned
 * thread, where it loads the weights; completes once the replica reports READY. The scheduler follows
 * {@code robin.engine.scheduler}; device, dtype and KV cache budget are the engine's defaults. A clustered
 * deployment replaces this launcher with one that uses {@code ModelShard}.
 */
public final class LocalModelLauncher implements ModelLauncher {

  private final ModelStatsBoard board = new ModelStatsBoard();

  @Override
  public CompletionStage<ServedModel> launch(ActorSystem<?> system, ModelSpec spec, Config config) {
    return CompletableFuture.supplyAsync(
        () -> {
          EngineOptions options =
              EngineOptions.defaults()
                  .withScheduler((maxLen, eosIds) -> SchedulerSettings.fromConfig(config, maxLen, eosIds));
          LoadedModel model = LoadedModel.open(spec.id(), spec.path(), options);
          ReplicaId replica = new ReplicaId(spec.id(), 0);
          String device = options.device().toString();
          ActorRef<ModelProtocol.Command> actor =
              system.systemActorOf(
                  ModelActor.create(replica, device, LoadedModelEngineFactory.of(model), board),
                  "model-" + replica.modelId().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + replica.replica(),
                  ModelActor.PROPS);
          String replicaId = replica.entityId();
          awaitReady(replicaId, actor);
          return new ServedModel(
              spec.id(),
              System.currentTimeMillis() / 1000,
              "robin",
              model.maxModelLen(),
              1,
              model.tokenizer(),
              model.chatTemplate(),
              actor,
              () -> board.get(replicaId).orElseGet(() -> ModelStats.loading(spec.id(), device)));
        },
        system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** The replica loads its weights on its own thread; serve it only once it says READY. */
  private void awaitReady(String replicaId, ActorRef<ModelProtocol.Command> actor) {
    while (true) {
      ModelStats.Status status = board.get(replicaId).map(ModelStats::status).orElse(ModelStats.Status.LOADING);
      if (status == ModelStats.Status.READY) {
        return;
      }
      if (status == ModelStats.Status.FAILED || status == ModelStats.Status.STOPPING) {
        throw new IllegalStateException("replica " + replicaId + " failed to load its weights (see the log)");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while " + actor.path().name() + " was loading", e);
      }
    }
  }
}
