package dev.robin.app.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.robin.api.auth.AuthServices;
import dev.robin.api.model.ModelRegistry;
import dev.robin.app.launch.ModelLauncher;
import dev.robin.serving.config.EngineSettings;
import dev.robin.serving.catalog.ModelCatalog;
import dev.robin.app.node.ClusterMembership;
import dev.robin.app.launch.ModelSpec;
import dev.robin.api.server.RobinServer;
import dev.robin.api.config.ServerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/robin serve}: loads the models and serves the OpenAI API until SIGTERM, then exits 0. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve models over the OpenAI API (defaults: conf/application.conf, robin.server).")
public final class ServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--host", description = "Interface to bind (default: robin.server.host).")
  String host;

  @Option(names = "--port", description = "TCP port; 0 picks a free one (default: robin.server.port).")
  Integer port;

  @Option(
      names = "--model",
      paramLabel = "ID=PATH",
      description = "A model to host: a Hugging Face directory or synthetic:PRESET, with robin.engine.replicas "
          + "replicas on robin.engine.device (per-replica devices: robin.models in --config). Repeatable.")
  List<String> models = new ArrayList<>();

  @Option(
      names = "--no-model",
      description = "Host no model: this node takes requests and routes them to the replicas of other cluster "
          + "nodes (overrides --model and robin.models).")
  boolean noModel;

  @Option(
      names = "--seed-node",
      paramLabel = "ADDRESS",
      description = "A cluster node to join, e.g. pekko://robin@10.0.0.1:25520; repeatable, the same on every node "
          + "(pekko.cluster.seed-nodes). Without one the node forms a cluster of its own.")
  List<String> seedNodes = new ArrayList<>();

  @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file layered over the defaults.")
  Path configFile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where Robin keeps its files, e.g. the embedded key and usage store (robin.server.data-dir).")
  Path dataDir;

  /** A service the server needs could not start; the message is for the operator. */
  public static final class ServeException extends RuntimeException {
    ServeException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A running server: what {@link #start()} returns. */
  public record Serving(ActorSystem<Void> system, RobinServer server, ModelRegistry registry) {}

  @Override
  public Integer call() {
    Serving serving;
    try {
      serving = start();
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      System.err.println("robin serve: " + e.getMessage());
      return 2;
    } catch (CompletionException e) {
      System.err.println("robin serve: cannot listen: " + e.getCause().getMessage());
      return 1;
    } catch (ServeException e) {
      System.err.println("robin serve: " + e.getMessage());
      return 1;
    }
    ShutdownSignals.install(serving.system());
    serving.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  /**
   * Reads the configuration, starts the actor system, begins loading the models and binds the server.
   * Throws {@link IllegalArgumentException} or {@link com.typesafe.config.ConfigException} on bad settings,
   * {@link ServeException} when a service cannot start and {@link CompletionException} when the address cannot
   * be bound.
   */
  public Serving start() {
    Config config = loadConfig();
    ServerSettings settings = ServerSettings.from(config);
    List<ModelSpec> specs = ModelSpec.allFrom(config, EngineSettings.from(config));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "robin", config);
    ClusterMembership.joinSelfIfNoSeeds(system);
    AuthServices auth;
    try {
      auth = AuthServices.start(system, config);
    } catch (RuntimeException e) {
      system.terminate();
      throw new ServeException("cannot start keys, usage and rate limits: " + e.getMessage(), e);
    }
    ModelRegistry registry = new ModelRegistry();
    RobinServer server;
    try {
      server = RobinServer.builder(system, settings, registry)
          .guard(auth.guard())
          .extraApiRoutes(auth.routes())
          .start()
          .toCompletableFuture()
          .join();
    } catch (CompletionException e) {
      system.terminate();
      throw e;
    }
    launchModels(system, registry, specs, server.baseUrl() + "/v1");
    log.info(
        "Robin {} listening on {}/v1 (models: {})",
        dev.robin.api.config.RobinVersion.VERSION,
        server.baseUrl(),
        specs.stream().map(ModelSpec::id).toList());
    return new Serving(system, server, registry);
  }

  /** Defaults, then {@code --config}, then flags; system properties override everything, as usual. */
  private Config loadConfig() {
    Config base = ConfigFactory.defaultApplication();
    if (configFile != null) {
      if (!Files.isReadable(configFile)) {
        throw new IllegalArgumentException("cannot read config file " + configFile);
      }
      base = ConfigFactory.parseFile(configFile.toFile()).withFallback(base);
    }
    // Serving is always as a cluster node (a single one joins itself): rate-limit buckets are sharded entities.
    Config flags = ConfigFactory.empty()
        .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"));
    if (host != null) {
      flags = flags.withValue("robin.server.host", ConfigValueFactory.fromAnyRef(host));
    }
    if (port != null) {
      flags = flags.withValue("robin.server.port", ConfigValueFactory.fromAnyRef(port));
    }
    if (noModel) {
      flags = flags.withValue(ModelSpec.PATH, ConfigValueFactory.fromIterable(List.of()));
    } else if (!models.isEmpty()) {
      flags = flags.withValue(ModelSpec.PATH, ConfigValueFactory.fromIterable(models));
    }
    if (dataDir != null) {
      flags = flags.withValue("robin.server.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()));
    }
    if (!seedNodes.isEmpty()) {
      flags = flags.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes));
    }
    return ConfigFactory.defaultOverrides()
        .withFallback(flags)
        .withFallback(base)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static void launchModels(
      ActorSystem<?> system, ModelRegistry registry, List<ModelSpec> specs, String url) {
    ModelLauncher launcher = new ModelLauncher();
    // Models hosted only elsewhere in the cluster are served from here too, once a replica describes them.
    Set<String> configured = specs.stream().map(ModelSpec::id).collect(Collectors.toSet());
    ModelCatalog.start(system, configured, (card, text) -> {
      registry.register(launcher.serveFromCluster(system, card, text));
      log.info("Robin ready: model '{}' (context {} tokens, hosted by other nodes) at {}",
          card.modelId(), card.maxModelLen(), url);
    });
    for (ModelSpec spec : specs) {
      registry.loading(spec.id());
      log.info("Loading model '{}' from {}", spec.id(), spec.path());
      launcher
          .launch(system, spec)
          .whenComplete(
              (model, failure) -> {
                if (failure != null) {
                  Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause() : failure;
                  registry.failed(spec.id(), "Loading failed: " + cause.getMessage());
                  log.error("Model '{}' failed to load: {}", spec.id(), cause.getMessage());
                } else {
                  registry.register(model);
                  log.info("Robin ready: model '{}' (context {} tokens) at {}", model.id(), model.maxModelLen(), url);
                }
              });
    }
  }

  /** SIGTERM and SIGINT run Pekko's coordinated shutdown instead of halting the JVM, so the exit code is 0. */
  static final class ShutdownSignals {
    private ShutdownSignals() {}

    static void install(ActorSystem<?> system) {
      for (String name : List.of("TERM", "INT")) {
        try {
          sun.misc.Signal.handle(
              new sun.misc.Signal(name),
              signal -> {
                log.info("SIG{} received: draining in-flight requests, then exiting", name);
                CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason());
              });
        } catch (IllegalArgumentException e) {
          log.debug("Signal {} cannot be handled here; the JVM shutdown hook will drain instead", name);
        }
      }
    }
  }
}
