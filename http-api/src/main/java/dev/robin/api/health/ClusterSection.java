package dev.robin.api.health;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/** The {@code cluster} section of /health, from the local cluster state (no remote calls). */
public final class ClusterSection {

  private ClusterSection() {}

  /** A supplier of the section, or of null when the actor system is not clustered. */
  public static Supplier<ObjectNode> of(ActorSystem<?> system) {
    String provider = system.settings().config().getString("pekko.actor.provider");
    if (!"cluster".equals(provider)) {
      return () -> null;
    }
    Cluster cluster = Cluster.get(system);
    return () -> {
      ObjectNode node = Json.MAPPER.createObjectNode();
      node.put("self", cluster.selfMember().address().toString());
      ArrayNode members = node.putArray("members");
      for (Member m : cluster.state().getMembers()) {
        ObjectNode entry = members.addObject();
        entry.put("address", m.address().toString());
        ArrayNode roles = entry.putArray("roles");
        m.getRoles().forEach(roles::add);
        entry.put("status", m.status().toString().toLowerCase(Locale.ROOT));
      }
      return node;
    };
  }
}
