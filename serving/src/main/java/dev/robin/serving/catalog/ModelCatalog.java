package dev.robin.serving.catalog;

import dev.robin.engine.load.ModelText;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelCard;
import dev.robin.serving.replica.ReplicaLoad;
import dev.robin.serving.replica.ReplicaLoads;
import dev.robin.serving.stats.ModelStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node's view of the models served anywhere in the cluster. It listens to the replicas' published
 * {@link ReplicaLoad}s, keeps the latest of each replica on a reachable, live node, and publishes them on
 * {@link ClusterModels}. For a model with a ready replica elsewhere and none configured here, it asks that replica
 * to {@code Describe} its model, opens the {@link ModelCard}'s tokenizer and chat template (off the actor's
 * thread) and hands them to the {@link Listener}, which makes the model servable from this node. So a node that
 * hosts no model, or other models, accepts requests for every model of the cluster.
 *
 * <p>Spawned once per node as {@code /system/robin-model-catalog}: cards (megabytes for a large vocabulary)
 * reach that path on Artery's large-message channel (serving's reference.conf).
 */
public final class ModelCatalog {

  /** Makes a model served elsewhere in the cluster servable from this node; called on the catalog's thread. */
  @FunctionalInterface
  public interface Listener {
    void discovered(ModelCard card, ModelText text);
  }

  /** The catalog's name under /system; the large-message channel is configured for this path. */
  public static final String NAME = "robin-model-catalog";

  /** Replicas report at least every second; one silent for this long is gone (e.g. its last report was lost). */
  static final Duration REPORT_EXPIRY = Duration.ofSeconds(5);

  /** A model asked about and not yet described is asked again (maybe of another replica) after this. */
  static final Duration DESCRIBE_RETRY = Duration.ofSeconds(10);

  private static final Duration TICK = Duration.ofMillis(500);

  private record LoadPublished(ReplicaLoad load) implements NoSerializationVerificationNeeded {}

  private record Tick() implements NoSerializationVerificationNeeded {}

  private record TextOpened(ModelCard card, ModelText text) implements NoSerializationVerificationNeeded {}

  private record TextFailed(String modelId, Throwable cause) implements NoSerializationVerificationNeeded {}

  private record Heard(ReplicaLoad load, long atNanos) {}

  private final ActorContext<Object> context;
  private final Set<String> localModels;
  private final Listener listener;
  private final Cluster cluster;
  private final ClusterModels view;
  private final Executor blocking;
  private final Map<ActorRef<ModelActor.Command>, Heard> heard = new HashMap<>();
  /** Models described and opened (or being opened), by id. */
  private final Set<String> discovered = new HashSet<>();
  /** Models asked about, with when. */
  private final Map<String, Long> describing = new HashMap<>();
  private final List<Path> scratchDirs = new ArrayList<>();

  private ModelCatalog(ActorContext<Object> context, Set<String> localModels, Listener listener) {
    this.context = context;
    this.localModels = Set.copyOf(localModels);
    this.listener = listener;
    this.cluster = Cluster.get(context.getSystem());
    this.view = ClusterModels.get(context.getSystem());
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
  }

  /**
   * Starts this node's catalog. Models in {@code localModels} are configured on this node, which opens their text
   * side itself: the catalog lists their replicas but never describes them.
   */
  public static ActorRef<Object> start(ActorSystem<?> system, Set<String> localModels, Listener listener) {
    return system.systemActorOf(create(localModels, listener), NAME, Props.empty());
  }

  static Behavior<Object> create(Set<String> localModels, Listener listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      ReplicaLoads.get(context.getSystem()).subscribe(context.messageAdapter(ReplicaLoad.class, LoadPublished::new));
      return new ModelCatalog(context, localModels, listener).behavior();
    }));
  }

  private Behavior<Object> behavior() {
    return Behaviors.receive(Object.class)
        .onMessage(LoadPublished.class, published -> {
          onLoad(published.load());
          return Behaviors.same();
        })
        .onMessage(Tick.class, tick -> {
          refresh();
          return Behaviors.same();
        })
        .onMessage(ModelCard.class, card -> {
          onCard(card);
          return Behaviors.same();
        })
        .onMessage(TextOpened.class, opened -> {
          context.getLog().info(
              "Model '{}' is served by other nodes of the cluster; this node takes its requests too",
              opened.card().modelId());
          context.getSystem().getWhenTerminated().thenRun(opened.text()::close);
          listener.discovered(opened.card(), opened.text());
          return Behaviors.same();
        })
        .onMessage(TextFailed.class, failed -> {
          context.getLog().error(
              "Cannot open the tokenizer of model '{}' sent by another node: {}", failed.modelId(),
              failed.cause().getMessage());
          discovered.remove(failed.modelId());
          describing.put(failed.modelId(), System.nanoTime());
          return Behaviors.same();
        })
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, stop -> {
          scratchDirs.forEach(ModelCatalog::deleteQuietly);
          return Behaviors.same();
        })
        .build();
  }

  private void onLoad(ReplicaLoad load) {
    if (load.status() == ModelStats.Status.STOPPING) {
      heard.remove(load.replica()); // counted out at once
    } else {
      heard.put(load.replica(), new Heard(load, System.nanoTime()));
    }
    refresh();
  }

  /** Drops what is stale or unreachable, republishes the view and describes models new to this node. */
  private void refresh() {
    long now = System.nanoTime();
    Set<Address> live = new HashSet<>();
    for (Member m : cluster.state().getMembers()) {
      if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
        live.add(m.address());
      }
    }
    for (Member m : cluster.state().getUnreachable()) {
      live.remove(m.address());
    }
    Address self = cluster.selfMember().address();
    heard.values().removeIf(h -> now - h.atNanos() > REPORT_EXPIRY.toNanos()
        || !live.contains(nodeOf(h.load().replica(), self)));
    Map<String, List<ClusterModels.ReplicaView>> byModel = new TreeMap<>();
    for (Heard h : heard.values()) {
      ReplicaLoad l = h.load();
      Address node = nodeOf(l.replica(), self);
      byModel.computeIfAbsent(l.modelId(), id -> new ArrayList<>()).add(new ClusterModels.ReplicaView(
          l.id(), node + l.replica().path().toStringWithoutAddress(), node.toString(), node.equals(self), l.device(), l.status(), l.numWaiting(), l.numRunning(),
          l.kvCacheUsage()));
    }
    byModel.values().forEach(list -> list.sort(Comparator
        .comparing(ClusterModels.ReplicaView::node)
        .thenComparing(r -> r.replica().replica())));
    view.publish(byModel);
    describeNewModels(now);
  }

  private void describeNewModels(long now) {
    for (Heard h : heard.values()) {
      ReplicaLoad l = h.load();
      String id = l.modelId();
      if (l.status() != ModelStats.Status.READY || localModels.contains(id) || discovered.contains(id)) {
        continue;
      }
      Long askedAt = describing.get(id);
      if (askedAt != null && now - askedAt < DESCRIBE_RETRY.toNanos()) {
        continue;
      }
      describing.put(id, now);
      l.replica().tell(new ModelActor.Describe(context.getSelf().narrow()));
    }
  }

  private void onCard(ModelCard card) {
    String id = card.modelId();
    if (localModels.contains(id) || discovered.contains(id)) {
      return; // a second answer, or a model configured here after all
    }
    if (!card.hasText()) {
      context.getLog().warn("A replica of model '{}' cannot describe its model (no tokenizer); not served here", id);
      return; // asked again after DESCRIBE_RETRY, maybe of another replica
    }
    discovered.add(id);
    describing.remove(id);
    Path dir;
    try {
      dir = Files.createTempDirectory("robin-model-text-");
    } catch (IOException e) {
      context.getSelf().tell(new TextFailed(id, e));
      return;
    }
    scratchDirs.add(dir);
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> ModelText.fromFiles(card.textFiles(), dir), blocking),
        (text, failure) -> failure == null ? new TextOpened(card, text) : new TextFailed(id, failure));
  }

  private static Address nodeOf(ActorRef<?> replica, Address self) {
    Address address = replica.path().address();
    return address.hasGlobalScope() ? address : self;
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans it eventually
    }
  }
}
