package dev.robin.api.server;

import dev.robin.serving.catalog.ClusterModels;
import dev.robin.serving.router.ReplicaDirectory;
import dev.robin.api.config.ServerSettings;
import dev.robin.api.connection.ConnectionScopes;
import dev.robin.api.guard.RequestGuard;
import dev.robin.api.health.ClusterSection;
import dev.robin.api.health.HealthReport;
import dev.robin.api.metrics.ServerMetrics;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.request.InFlightRequests;
import dev.robin.api.route.ApiRoutes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Robin's HTTP server: binds the routes of {@link ApiRoutes} for the models of a {@link ModelRegistry}.
 * On {@code CoordinatedShutdown} (SIGTERM) it stops accepting connections, lets in-flight requests finish
 * within {@link ServerSettings#shutdownDeadline()}, then closes what is left. Each client connection gets a
 * {@link dev.robin.api.connection.ConnectionScope}, through which a completion whose client left before its
 * answer is cancelled.
 *
 * <pre>{@code
 * RobinServer server = RobinServer.builder(system, settings, registry)
 *     .guard(myAuthAndQuota)            // optional; default: open
 *     .extraApiRoutes(keysAndUsage)     // optional; mounted under /api/v1 and /v1
 *     .start().toCompletableFuture().join();
 * }</pre>
 */
public final class RobinServer {

  private static final Logger log = LoggerFactory.getLogger(RobinServer.class);
  private static final Duration FLUSH_GRACE = Duration.ofMillis(500);

  private final ServerBinding binding;
  private final ServerMetrics metrics;
  private final ServerSettings settings;
  private final InFlightRequests inFlight;
  private final ConnectionScopes connections;
  private final AtomicReference<CompletionStage<Void>> stopping = new AtomicReference<>();

  private RobinServer(
      ServerBinding binding, ServerMetrics metrics, ServerSettings settings, InFlightRequests inFlight,
      ConnectionScopes connections) {
    this.binding = binding;
    this.connections = connections;
    this.metrics = metrics;
    this.settings = settings;
    this.inFlight = inFlight;
  }

  public static Builder builder(ActorSystem<?> system, ServerSettings settings, ModelRegistry registry) {
    return new Builder(system, settings, registry);
  }

  /** The bound address (the real port when the settings asked for port 0). */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** {@code http://host:port}, without a path. */
  public String baseUrl() {
    InetSocketAddress a = address();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** Completion requests running now. */
  public int numInFlight() {
    return inFlight.size();
  }

  /** The client connections open now, and the disconnect hooks of their unanswered requests. */
  public ConnectionScopes connections() {
    return connections;
  }

  /**
   * Stops accepting connections, refuses new completions (503), lets in-flight requests (streams included)
   * finish within the shutdown deadline, ends the rest with an error event, then closes the connections.
   * Idempotent; {@code CoordinatedShutdown} calls it in its {@code service-unbind} phase and waits for it in
   * {@code service-requests-done}.
   */
  public CompletionStage<Void> stop() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    if (!stopping.compareAndSet(null, mine)) {
      return stopping.get();
    }
    log.info("Stopping: no new connections; {} request(s) in flight may finish within {}",
        inFlight.size(), settings.shutdownDeadline());
    binding
        .unbind()
        .thenCompose(done -> inFlight.drain(settings.shutdownDeadline()))
        // A stream's last chunk may still be on its way to the socket when its request actor stops, and
        // terminate() closes a connection whose response has started as soon as it likes: give it a moment.
        .thenComposeAsync(
            drained -> binding.terminate(Duration.ofSeconds(1)),
            CompletableFuture.delayedExecutor(FLUSH_GRACE.toMillis(), TimeUnit.MILLISECONDS))
        .whenComplete((t, e) -> mine.complete(null));
    return mine;
  }

  /** Options of a server; {@link #start()} binds it. */
  public static final class Builder {
    private final ActorSystem<?> system;
    private final ServerSettings settings;
    private final ModelRegistry registry;
    private RequestGuard guard = RequestGuard.open();
    private Route extraApiRoutes = Directives.reject();

    private Builder(ActorSystem<?> system, ServerSettings settings, ModelRegistry registry) {
      this.system = Objects.requireNonNull(system);
      this.settings = Objects.requireNonNull(settings);
      this.registry = Objects.requireNonNull(registry);
    }

    /** Authentication, rate limits and usage accounting (default: none). */
    public Builder guard(RequestGuard guard) {
      this.guard = Objects.requireNonNull(guard);
      return this;
    }

    /** Routes served beside the built-in ones under {@code /api/v1} and {@code /v1}. */
    public Builder extraApiRoutes(Route routes) {
      this.extraApiRoutes = Objects.requireNonNull(routes);
      return this;
    }

    /** Binds; the returned stage fails when the address cannot be bound. */
    public CompletionStage<RobinServer> start() {
      ServerMetrics metrics = new ServerMetrics(registry, ReplicaDirectory.get(system)::routing);
      HealthReport health = new HealthReport(
          registry, System.currentTimeMillis(), ClusterSection.of(system), ClusterModels.get(system)::replicas,
          modelId -> ReplicaDirectory.get(system).replicas(modelId).stream()
              .map(ReplicaDirectory.RoutedReplica::replica).collect(java.util.stream.Collectors.toSet()));
      InFlightRequests inFlight = new InFlightRequests();
      Route route =
          new ApiRoutes(system, settings, registry, guard, metrics, health, inFlight, extraApiRoutes).route();
      warnIfShutdownPhaseTooShort();
      // bindFlow materializes the handler once per connection, which is what gives each one its scope (a
      // completion whose client leaves is cancelled through it); otherwise it serves requests as bind(route).
      ConnectionScopes connections = new ConnectionScopes(settings.halfCloseIsDisconnect());
      int pipeliningLimit =
          org.apache.pekko.http.javadsl.settings.ServerSettings.create(system.settings().config()).getPipeliningLimit();
      return Http.get(system)
          .newServerAt(settings.host(), settings.port())
          .bindFlow(connections.handlerFlow(route.handler(system), pipeliningLimit))
          .thenApply(
              binding -> {
                RobinServer server = new RobinServer(binding, metrics, settings, inFlight, connections);
                CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
                String name = "robin-http-" + binding.localAddress().getPort();
                shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), name + "-unbind", () -> {
                  server.stop();
                  return CompletableFuture.completedFuture(Done.getInstance());
                });
                shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), name + "-drain",
                    () -> server.stop().thenApply(v -> Done.getInstance()));
                return server;
              });
    }

    private void warnIfShutdownPhaseTooShort() {
      String key = "pekko.coordinated-shutdown.phases.service-requests-done.timeout";
      if (system.settings().config().hasPath(key)) {
        Duration phase = system.settings().config().getDuration(key);
        if (phase.compareTo(settings.shutdownDeadline()) <= 0) {
          log.warn(
              "{} ({}) is not longer than robin.server.shutdown-deadline ({}); in-flight requests may be cut early",
              key, phase, settings.shutdownDeadline());
        }
      }
    }
  }
}
