package dev.robin.serving.router;

import com.typesafe.config.Config;
import dev.robin.engine.request.Rejection;
import dev.robin.serving.config.SchedulerSettings;
import dev.robin.serving.replica.GenerationEvent;
import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.replica.ModelActor.Generate;
import dev.robin.serving.replica.ReplicaLoad;
import dev.robin.serving.replica.ReplicaLoads;
import dev.robin.serving.stats.ModelStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The one address of a served model on a node: it sends each {@code Generate} to the model's least-loaded
 * reachable replica, wherever in the cluster it runs, unless a replica that likely holds the prompt's prefix in its
 * prefix cache is nearly as little loaded. Replicas come from the receptionist's listing of the model's key
 * (replicas on unreachable nodes are left out at once), and from the node's own replicas it is created with, which
 * it knows before the listing (gossiped) names them; their loads come from the {@link ReplicaLoads} topic. Between
 * two loads of a replica the router counts what it sent there, so a burst does not all land on the replica that
 * looked idle.
 *
 * <p>Picking: a replica's load is its waiting and running requests (as last published, plus those sent since). The
 * least loaded wins; among equally loaded ones the one with the lower KV-cache use, then they take turns. But when
 * the {@link PrefixAffinity} remembers which replica last got the prompt's leading full blocks, that replica wins if
 * its load is close to the least ({@link #isClose}) and its KV cache is not nearly full ({@link #KV_NEARLY_FULL}):
 * it can skip computing those blocks. What a request got is counted in the node's {@link ReplicaDirectory}.
 *
 * <p>The replica that accepts a request names itself in its {@code Accepted}, so a cancel goes straight to it; the
 * router keeps no per-request state, only the bounded memory of prefixes, and can never leak.
 */
public final class ReplicaRouter {

  /** The reachable replicas changed. */
  private record ReplicasChanged(Set<ActorRef<ModelActor.Command>> reachable)
      implements NoSerializationVerificationNeeded {}

  /** A replica published its load (from the cluster-wide topic). */
  private record LoadPublished(ReplicaLoad load) implements NoSerializationVerificationNeeded {}

  /** One of this node's own replicas stopped. */
  private record LocalReplicaStopped(ActorRef<ModelActor.Command> replica)
      implements NoSerializationVerificationNeeded {}

  /**
   * Prefixes (chain hashes of leading blocks) a router remembers: a few per request (see {@link PrefixAffinity}),
   * so the last thousands of requests, in about a megabyte.
   */
  static final int PREFIXES_REMEMBERED = 16_384;

  /**
   * KV-cache use (0..1, as last published) from which a replica gets no request for its prefix alone: it would soon
   * preempt sequences or evict the very cached blocks the request was sent there for.
   */
  static final double KV_NEARLY_FULL = 0.9;

  private final String modelId;
  private final PrefixAffinity<ActorRef<ModelActor.Command>> affinity;
  private final Set<ActorRef<ModelActor.Command>> local = new HashSet<>();
  private final Set<ActorRef<ModelActor.Command>> listed = new HashSet<>();
  private final List<ActorRef<ModelActor.Command>> replicas = new ArrayList<>();
  private final Map<ActorRef<ModelActor.Command>, ReplicaLoad> loads = new HashMap<>();
  /** Requests sent to each replica since its last published load. */
  private final Map<ActorRef<ModelActor.Command>, Integer> sentSinceLoad = new HashMap<>();
  private int nextTieBreak;
  private ReplicaDirectory directory;
  private ReplicaDirectory.RoutingCounters counters;
  private Address selfAddress;

  private ReplicaRouter(String modelId, int blockSize, int prefixesRemembered) {
    this.modelId = modelId;
    this.affinity = new PrefixAffinity<>(blockSize, prefixesRemembered);
  }

  /** A router over every ready replica of {@code modelId} in the cluster. */
  public static Behavior<Generate> create(String modelId) {
    return create(modelId, List.of());
  }

  /**
   * A router over every ready replica of {@code modelId} in the cluster, starting with this node's ready ones. Its
   * prefix keys use {@code robin.engine.scheduler.block-size}; with {@code enable-prefix-caching = off} (or no
   * scheduler settings at all) it routes by load only.
   */
  public static Behavior<Generate> create(String modelId, Collection<ActorRef<ModelActor.Command>> localReplicas) {
    return Behaviors.<Object>setup(context -> {
      Config config = context.getSystem().settings().config();
      String path = SchedulerSettings.PATH;
      boolean caching = config.hasPath(path + ".block-size")
          && (!config.hasPath(path + ".enable-prefix-caching") || config.getBoolean(path + ".enable-prefix-caching"));
      int blockSize = caching ? config.getInt(path + ".block-size") : 1;
      if (blockSize < 1) {
        throw new IllegalArgumentException(path + ".block-size must be positive, got " + blockSize);
      }
      return new ReplicaRouter(modelId, blockSize, caching ? PREFIXES_REMEMBERED : 0).start(context, localReplicas);
    }).narrow();
  }

  /** As above with the block size and how many prefixes it remembers given (0: routes by load only), for tests. */
  static Behavior<Generate> create(
      String modelId, Collection<ActorRef<ModelActor.Command>> localReplicas, int blockSize, int prefixesRemembered) {
    return Behaviors.<Object>setup(context ->
        new ReplicaRouter(modelId, blockSize, prefixesRemembered).start(context, localReplicas)).narrow();
  }

  private Behavior<Object> start(ActorContext<Object> context, Collection<ActorRef<ModelActor.Command>> localReplicas) {
    directory = ReplicaDirectory.get(context.getSystem());
    counters = directory.counters(modelId);
    selfAddress = context.getSystem().address();
    for (ActorRef<ModelActor.Command> replica : localReplicas) {
      local.add(replica);
      context.watchWith(replica, new LocalReplicaStopped(replica));
    }
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(
        Receptionist.Listing.class,
        listing -> new ReplicasChanged(listing.getServiceInstances(ModelActor.serviceKey(modelId))));
    context.getSystem().receptionist().tell(Receptionist.subscribe(ModelActor.serviceKey(modelId), listings));
    ReplicaLoads.get(context.getSystem()).subscribe(context.messageAdapter(ReplicaLoad.class, LoadPublished::new));
    refresh(); // after subscribing: once the directory shows this router, loads published from then on reach it
    return Behaviors.receive(Object.class)
        .onMessage(Generate.class, this::route)
        .onMessage(ReplicasChanged.class, this::onReplicasChanged)
        .onMessage(LoadPublished.class, this::onLoadPublished)
        .onMessage(LocalReplicaStopped.class, stopped -> {
          local.remove(stopped.replica());
          refresh();
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Object> route(Generate generate) {
    ActorRef<ModelActor.Command> leastLoaded = leastLoaded();
    if (leastLoaded == null) {
      generate.replyTo().tell(new GenerationEvent.Rejected(generate.request().id(), new Rejection(
          Rejection.Reason.UNAVAILABLE, "no replica of model '" + modelId + "' is reachable now")));
      return Behaviors.same();
    }
    PrefixAffinity.Prefix prefix = affinity.prefixOf(generate.request().promptIds());
    ActorRef<ModelActor.Command> remembered = affinity.lookup(prefix); // routable: refresh() forgets the others
    ActorRef<ModelActor.Command> replica = leastLoaded;
    if (remembered != null
        && isClose(load(remembered), load(leastLoaded))
        && kvCacheUsage(remembered) < KV_NEARLY_FULL) {
      replica = remembered;
    }
    affinity.remember(prefix, replica);
    counters.routed(remembered != null, replica == remembered);
    sentSinceLoad.merge(replica, 1, Integer::sum);
    replica.tell(generate);
    // After the Generate, so a cancel the requester sends on this reaches the replica behind it.
    generate.replyTo().tell(new GenerationEvent.Routed(generate.request().id(), replica));
    return Behaviors.same();
  }

  /**
   * Whether a replica with {@code load} requests is close enough to the least loaded one's {@code leastLoad} to be
   * preferred for its prefix cache: at most one request more, or 25% more once that allows more (rounded down). A
   * cached prefix saves its prompt's first blocks, a fraction of one request's work, so affinity may only cost a
   * replica a small, bounded excess over the others: a popular prefix spreads once its replica is ahead.
   */
  static boolean isClose(long load, long leastLoad) {
    return load <= leastLoad + Math.max(1, leastLoad / 4);
  }

  /**
   * The replica with the fewest requests; among those the one with the lowest KV-cache use; ties take turns. Null
   * when there is none.
   */
  private ActorRef<ModelActor.Command> leastLoaded() {
    if (replicas.isEmpty()) {
      return null;
    }
    ActorRef<ModelActor.Command> best = null;
    long bestLoad = Long.MAX_VALUE;
    double bestKv = Double.MAX_VALUE;
    int n = replicas.size();
    int start = Math.floorMod(nextTieBreak++, n);
    for (int k = 0; k < n; k++) {
      ActorRef<ModelActor.Command> replica = replicas.get((start + k) % n);
      long requests = load(replica);
      double kv = kvCacheUsage(replica);
      if (requests < bestLoad || (requests == bestLoad && kv < bestKv)) {
        best = replica;
        bestLoad = requests;
        bestKv = kv;
      }
    }
    return best;
  }

  /** A replica's requests: as it last published them, plus those sent there since. */
  private long load(ActorRef<ModelActor.Command> replica) {
    ReplicaLoad load = loads.get(replica);
    return (load == null ? 0 : load.numRequests()) + sentSinceLoad.getOrDefault(replica, 0);
  }

  /** A replica's KV-cache use as it last published it; 0 before it has. */
  private double kvCacheUsage(ActorRef<ModelActor.Command> replica) {
    ReplicaLoad load = loads.get(replica);
    return load == null ? 0.0 : load.kvCacheUsage();
  }

  private Behavior<Object> onReplicasChanged(ReplicasChanged changed) {
    listed.clear();
    listed.addAll(changed.reachable());
    refresh();
    return Behaviors.same();
  }

  /** The replicas to route to: this node's own (while alive) and the reachable ones listed cluster-wide. */
  private void refresh() {
    Set<ActorRef<ModelActor.Command>> all = new HashSet<>(listed);
    all.addAll(local);
    replicas.clear();
    replicas.addAll(all);
    replicas.sort((a, b) -> a.path().toString().compareTo(b.path().toString()));
    loads.keySet().retainAll(all);
    sentSinceLoad.keySet().retainAll(all);
    affinity.retainReplicas(all);
    publishView();
  }

  /** What this router sees, for /health. */
  private void publishView() {
    List<ReplicaDirectory.RoutedReplica> view = new ArrayList<>(replicas.size());
    for (ActorRef<ModelActor.Command> replica : replicas) {
      Address address = replica.path().address();
      boolean isLocal = !address.hasGlobalScope() || address.equals(selfAddress);
      ReplicaLoad load = loads.get(replica);
      Address node = isLocal ? selfAddress : address;
      view.add(new ReplicaDirectory.RoutedReplica(
          node + replica.path().toStringWithoutAddress(), node.toString(), isLocal, load != null,
          load == null ? 0 : load.numWaiting(), load == null ? 0 : load.numRunning(),
          load == null ? 0.0 : load.kvCacheUsage()));
    }
    directory.publish(modelId, view);
  }

  private Behavior<Object> onLoadPublished(LoadPublished published) {
    ReplicaLoad load = published.load();
    if (load.modelId().equals(modelId) && load.status() == ModelStats.Status.READY
        && replicas.contains(load.replica())) {
      loads.put(load.replica(), load);
      sentSinceLoad.remove(load.replica());
      publishView();
    }
    return Behaviors.same();
  }
}
