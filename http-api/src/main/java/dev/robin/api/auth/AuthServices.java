package dev.robin.api.auth;

import com.typesafe.config.Config;
import dev.robin.accounts.keys.ApiKeyService;
import dev.robin.accounts.keys.KeySettings;
import dev.robin.accounts.ratelimit.ClientIpResolver;
import dev.robin.accounts.ratelimit.RateLimitSettings;
import dev.robin.accounts.ratelimit.RateLimiter;
import dev.robin.accounts.store.backend.StoreFactory;
import dev.robin.accounts.store.StoreSettings;
import dev.robin.accounts.store.Stores;
import dev.robin.accounts.usage.UsageRecorder;
import dev.robin.accounts.usage.UsageSettings;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys, rate limits and usage, assembled from {@code robin.store} and {@code robin.rate-limits}: opens the
 * configured store, starts the rate-limit shards and the usage recorder, and hands the server its guard and its
 * {@code /keys} and {@code /usage} routes. On coordinated shutdown the recorder is flushed (phase service-stop,
 * after in-flight requests) and the store closed (before-actor-system-terminate).
 *
 * <pre>{@code
 * AuthServices auth = AuthServices.start(system, config);   // blocking: opens the store
 * RobinServer.builder(system, settings, registry).guard(auth.guard()).extraApiRoutes(auth.routes()).start();
 * }</pre>
 */
public final class AuthServices {

  private static final Logger log = LoggerFactory.getLogger(AuthServices.class);

  private final Stores stores;
  private final ApiKeyService keys;
  private final RateLimiter limiter;
  private final ActorRef<UsageRecorder.Command> recorder;
  private final KeyGuard guard;
  private final KeyRoutes routes;

  private AuthServices(Stores stores, ApiKeyService keys, RateLimiter limiter,
      ActorRef<UsageRecorder.Command> recorder, KeyGuard guard) {
    this.stores = stores;
    this.keys = keys;
    this.limiter = limiter;
    this.recorder = recorder;
    this.guard = guard;
    this.routes = new KeyRoutes(keys, stores.usage(), guard);
  }

  /**
   * Starts everything; blocks while the store opens. The actor system must be a cluster member
   * ({@code pekko.actor.provider = cluster}, joined; a single node joins itself).
   *
   * @throws dev.robin.accounts.store.StoreException if the store cannot be opened
   * @throws com.typesafe.config.ConfigException if a setting is invalid
   */
  public static AuthServices start(ActorSystem<?> system, Config config) {
    requireClusterProvider(system);
    Config store = config.getConfig("robin.store");
    StoreSettings storeSettings = StoreSettings.fromConfig(store);
    KeySettings keySettings = KeySettings.fromConfig(store.getConfig("keys"));
    UsageSettings usageSettings = UsageSettings.fromConfig(store.getConfig("usage"));
    RateLimitSettings limitSettings = RateLimitSettings.fromConfig(config.getConfig("robin.rate-limits"));
    ClientIpResolver ips = new ClientIpResolver(limitSettings.trustedProxies());

    Stores stores = StoreFactory.open(storeSettings);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "robin-close-stores", () -> CompletableFuture.supplyAsync(() -> {
          stores.close();
          return Done.getInstance();
        }));
    ApiKeyService keys = new ApiKeyService(stores.keys(), keySettings);
    RateLimiter limiter = RateLimiter.start(system, limitSettings);
    ActorRef<UsageRecorder.Command> recorder = UsageRecorder.spawn(system, stores.usage(), usageSettings);
    KeyGuard guard = new KeyGuard(keys, limiter, ips, recorder, InstantSource.system());
    log.info("Keys and usage in the {} store ({}); key creation {}; rate limits {}", storeSettings.backend(),
        storeSettings.backend() == StoreSettings.Backend.EMBEDDED
            ? storeSettings.embedded().directory().toAbsolutePath()
            : storeSettings.cassandra().contactPoints(),
        keySettings.creation(), limitSettings.enabled() ? "on" : "off");
    return new AuthServices(stores, keys, limiter, recorder, guard);
  }

  /** Rate-limit buckets are sharded entities: the node must be a cluster node (the app joins the cluster). */
  private static void requireClusterProvider(ActorSystem<?> system) {
    Config pekko = system.settings().config();
    if (!"cluster".equals(pekko.getString("pekko.actor.provider"))) {
      throw new IllegalStateException("rate limits are cluster-sharded: run with pekko.actor.provider = cluster "
          + "(bin/robin serve does)");
    }
  }

  /** The server's request guard: authentication, rate limits, usage. */
  public KeyGuard guard() {
    return guard;
  }

  /** {@code /keys} and {@code /usage}. */
  public Route routes() {
    return routes.route();
  }

  public ApiKeyService keys() {
    return keys;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  public ActorRef<UsageRecorder.Command> usageRecorder() {
    return recorder;
  }

  public Stores stores() {
    return stores;
  }
}
