package dev.robin.api.route;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.catalog.ClusterModels;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code GET /models} and {@code GET /models/{id}}: OpenAI's model objects plus max_model_len, status and the
 * model's replicas across the cluster by state (ready, loading, failed).
 */
final class ModelsJson {

  private final ModelRegistry registry;
  private final Function<String, ClusterModels.Counts> replicaCounts;
  private final long startSeconds = System.currentTimeMillis() / 1000;

  /** {@code replicaCounts}: a model's replicas across the cluster by state (all 0 when none is known). */
  ModelsJson(ModelRegistry registry, Function<String, ClusterModels.Counts> replicaCounts) {
    this.registry = registry;
    this.replicaCounts = replicaCounts;
  }

  ObjectNode list() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    registry.all().forEach(m -> data.add(model(m)));
    registry.pending().forEach(p -> data.add(pending(p)));
    return root;
  }

  ObjectNode one(String id) {
    var served = registry.find(id);
    if (served.isPresent()) {
      return model(served.get());
    }
    return registry.findPending(id).map(this::pending).orElseThrow(() -> ApiError.modelNotFound(id).toException());
  }

  private ObjectNode model(ServedModel m) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("id", m.id());
    node.put("object", "model");
    node.put("created", m.created());
    node.put("owned_by", m.ownedBy());
    node.put("max_model_len", m.maxModelLen());
    node.put("status", m.currentStats().status().name().toLowerCase(Locale.ROOT));
    ClusterModels.Counts counts = replicaCounts.apply(m.id());
    ObjectNode replicas = node.putObject("replicas");
    replicas.put("ready", counts.ready());
    replicas.put("loading", counts.loading());
    replicas.put("failed", counts.failed());
    return node;
  }

  private ObjectNode pending(ModelRegistry.Pending p) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("id", p.id());
    node.put("object", "model");
    node.put("created", startSeconds);
    node.put("owned_by", "robin");
    node.putNull("max_model_len");
    node.put("status", p.state().name().toLowerCase(Locale.ROOT));
    return node;
  }
}
