package dev.robin.cluster.ratelimit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A test actor system that is a one-node cluster, joined to itself, as Robin runs on a single machine. */
final class SingleNodeCluster {

  static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.exit-jvm = off
      """);

  private SingleNodeCluster() {}

  static ActorTestKit start(String name) {
    ActorTestKit testKit = ActorTestKit.create(name, CONFIG.withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("node not up yet: " + cluster.selfMember().status());
      }
      return null;
    });
    return testKit;
  }
}
