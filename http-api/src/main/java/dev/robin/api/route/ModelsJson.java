package dev.robin.api.route;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import java.util.Locale;

/** {@code GET /models} and {@code GET /models/{id}}: OpenAI's model objects plus max_model_len and status. */
final class ModelsJson {

  private final ModelRegistry registry;
  private final long startSeconds = System.currentTimeMillis() / 1000;

  ModelsJson(ModelRegistry registry) {
    this.registry = registry;
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

  private static ObjectNode model(ServedModel m) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("id", m.id());
    node.put("object", "model");
    node.put("created", m.created());
    node.put("owned_by", m.ownedBy());
    node.put("max_model_len", m.maxModelLen());
    node.put("status", m.currentStats().status().name().toLowerCase(Locale.ROOT));
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
