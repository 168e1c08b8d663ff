package dev.robin.api.health;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.robin.api.model.ModelRegistry;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

class ClusterSectionTest {

  @Test
  void absentWithoutACluster() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "local");
    try {
      assertNull(new HealthReport(new ModelRegistry(), 0, ClusterSection.of(system)).build().body().get("cluster"));
    } finally {
      system.terminate();
    }
  }

  @Test
  void listsSelfAndMembersInACluster() throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "clustered", ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                + "pekko.remote.artery.canonical.port = 0\n")
        .withFallback(ConfigFactory.load()));
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      eventually(Duration.ofSeconds(10), () -> assertEquals(MemberStatus.up(), cluster.selfMember().status()));
      ObjectNode section = (ObjectNode) new HealthReport(new ModelRegistry(), 0, ClusterSection.of(system))
          .build().body().get("cluster");
      assertTrue(section.get("self").asText().startsWith("pekko://clustered@127.0.0.1:"), section.toString());
      assertEquals(1, section.get("members").size());
      assertEquals(section.get("self").asText(), section.get("members").get(0).get("address").asText());
      assertEquals("up", section.get("members").get(0).get("status").asText());
      assertTrue(section.get("members").get(0).get("roles").isArray());
    } finally {
      system.terminate();
    }
  }
}
