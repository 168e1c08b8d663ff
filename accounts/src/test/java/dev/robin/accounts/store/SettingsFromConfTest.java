package dev.robin.accounts.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import dev.robin.accounts.keys.KeySettings;
import dev.robin.accounts.ratelimit.BucketKey;
import dev.robin.accounts.ratelimit.RateLimitSettings;
import dev.robin.accounts.usage.UsageSettings;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/application.conf's store and rate-limit blocks read into their typed settings with the documented defaults. */
class SettingsFromConfTest {

  /** The shipped file, resolved without the environment so the defaults are what is checked. */
  private static Config conf() {
    return ConfigFactory.parseFile(new File("../conf/application.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  @Test
  void storeDefaults() {
    Config store = conf().getConfig("robin.store");
    StoreSettings settings = StoreSettings.fromConfig(store);
    assertEquals(StoreSettings.Backend.EMBEDDED, settings.backend());
    assertEquals(Path.of("data", "robin-store"), settings.embedded().directory());
    assertEquals(Duration.ofDays(7), settings.embedded().usageEventRetention());
    assertEquals(List.of(InetSocketAddress.createUnresolved("127.0.0.1", 9042)), settings.cassandra().contactPoints());
    assertEquals("datacenter1", settings.cassandra().localDatacenter());
    assertEquals("robin", settings.cassandra().keyspace());
    assertEquals("LOCAL_QUORUM", settings.cassandra().consistency());
    assertTrue(settings.cassandra().applySchema());

    KeySettings keys = KeySettings.fromConfig(store.getConfig("keys"));
    assertEquals(KeySettings.Creation.OPEN, keys.creation());
    assertEquals(Duration.ofSeconds(10), keys.cacheTtl());
    assertTrue(keys.adminToken().isEmpty());

    UsageSettings usage = UsageSettings.fromConfig(store.getConfig("usage"));
    assertEquals(500, usage.batchSize());
    assertEquals(Duration.ofSeconds(1), usage.flushInterval());
  }

  @Test
  void rateLimitDefaultsAreTheContracts() {
    RateLimitSettings limits = RateLimitSettings.fromConfig(conf().getConfig("robin.rate-limits"));
    assertTrue(limits.enabled());
    assertEquals(new RateLimitSettings.Limit(150, Duration.ofMinutes(15)), limits.limitFor(BucketKey.Kind.IP));
    assertEquals(new RateLimitSettings.Limit(500, Duration.ofMinutes(15)), limits.limitFor(BucketKey.Kind.KEY));
    assertEquals(new RateLimitSettings.Limit(60, Duration.ofMinutes(1)), limits.limitFor(BucketKey.Kind.LISTING_IP));
    assertEquals(new RateLimitSettings.Limit(20, Duration.ofMinutes(15)),
        limits.limitFor(BucketKey.Kind.AUTH_FAILURE));
    assertEquals(RateLimitSettings.DEFAULT_FAILED_AUTHENTICATION, limits.failedAuthentication());
    assertEquals(List.of(), limits.trustedProxies());
  }

  @Test
  void badValuesNameTheSetting() {
    Config store = conf().getConfig("robin.store");
    ConfigException backend = assertThrows(ConfigException.class, () -> StoreSettings.fromConfig(
        ConfigFactory.parseString("backend = sqlite").withFallback(store)));
    assertTrue(backend.getMessage().contains("robin.store.backend"), backend.getMessage());
    ConfigException admin = assertThrows(ConfigException.class, () -> KeySettings.fromConfig(
        ConfigFactory.parseString("creation = admin").withFallback(store.getConfig("keys"))));
    assertTrue(admin.getMessage().contains("admin-token"), admin.getMessage());
    assertEquals(List.of(InetSocketAddress.createUnresolved("db1", 9042),
            InetSocketAddress.createUnresolved("::1", 9043)),
        StoreSettings.parseContactPoints("db1, [::1]:9043"));
  }
}
