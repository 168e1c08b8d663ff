package dev.robin.accounts.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.robin.engine.testkit.Eventually;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A test actor system that is a one-node cluster, joined to itself, as Robin runs on a single machine. */
public final class SingleNodeCluster {

  public static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.exit-jvm = off
      """);

  private SingleNodeCluster() {}

  public static ActorTestKit start(String name) {
    ActorTestKit testKit = ActorTestKit.create(name, CONFIG.withFallback(ConfigFactory.load()));
    join(testKit.system());
    return testKit;
  }

  /** Joins {@code system} to itself (as the app does with no seed nodes) and waits until it is up. */
  public static void join(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Eventually.eventually(Duration.ofSeconds(20), () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("the node is not up: " + cluster.selfMember());
      }
    });
  }
}
