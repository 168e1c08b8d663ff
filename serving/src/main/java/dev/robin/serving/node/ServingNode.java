package dev.robin.serving.node;

import ai.djl.Device;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.load.TorchThreads;
import dev.robin.serving.config.EngineSettings;
import dev.robin.serving.replica.LoadedModelEngineFactory;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.replica.ReplicaId;
import dev.robin.serving.stats.ModelStatsBoard;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What one node shares between the models it serves, one per actor system: the engine settings, the stats board
 * its replicas publish on, and the factory that builds their engines. It starts the replicas this node hosts, each
 * on its own pinned thread; a replica stays on this node for its whole life. An actor-system extension, so two
 * nodes in one JVM (as in tests) never share it.
 */
public final class ServingNode implements Extension {

  private static final Id ID = new Id();

  private final EngineSettings settings;
  private final ModelStatsBoard board = new ModelStatsBoard();
  private final LoadedModelEngineFactory factory = new LoadedModelEngineFactory(List.of());
  private final Map<String, ModelCard> cards = new ConcurrentHashMap<>();

  private final ActorSystem<?> system;

  private ServingNode(ActorSystem<?> system) {
    this.system = system;
    this.settings = EngineSettings.from(system.settings().config());
    TorchThreads.configure(settings.torchThreads());
  }

  /** This node's serving state; created (and the shard region registered) on first use. */
  public static ServingNode get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public EngineSettings settings() {
    return settings;
  }

  public ModelStatsBoard board() {
    return board;
  }

  /** The device of robin.engine.device, as DJL names it: replicas without a device of their own run there. */
  public String device() {
    return settings.options().device().toString();
  }

  /**
   * Lets this node's replicas of {@code model} build their engines and describe it to other nodes; an id served
   * twice is refused. Reads the model's text files: call it off the actors' threads.
   */
  public void register(LoadedModel model) {
    factory.register(model);
    cards.put(model.id(), ModelCard.of(model));
  }

  /**
   * Starts {@code replica} of a registered model on this node, on {@code device}; it loads its engine on its own
   * thread and, once ready, registers with the receptionist for every node's routers to find.
   */
  public ActorRef<ModelActor.Command> startReplica(ReplicaId replica, Device device) {
    return system.systemActorOf(
        ModelActor.create(replica, device.toString(), r -> factory.create(r, device), board, card(replica)),
        "replica-" + URLEncoder.encode(replica.entityId(), StandardCharsets.UTF_8),
        ModelActor.PROPS);
  }

  private ModelCard card(ReplicaId replica) {
    ModelCard card = cards.get(replica.modelId());
    return card != null ? card : ModelCard.withoutText(replica.modelId(), 1);
  }

  private static final class Id extends ExtensionId<ServingNode> {
    @Override
    public ServingNode createExtension(ActorSystem<?> system) {
      return new ServingNode(system);
    }
  }
}
