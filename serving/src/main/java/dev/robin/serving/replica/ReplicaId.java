package dev.robin.serving.replica;

/**
 * Which model replica an entity is: its sharding entity id is {@code <modelId>#<replica>}.
 *
 * @param modelId the served model's id (may itself contain '#'; the last one separates the replica)
 * @param replica replica number, from 0
 */
public record ReplicaId(String modelId, int replica) {

  public ReplicaId {
    if (modelId == null || modelId.isEmpty()) {
      throw new IllegalArgumentException("model id is empty");
    }
    if (replica < 0) {
      throw new IllegalArgumentException("replica must be >= 0, got " + replica);
    }
  }

  /** Parses {@code <modelId>#<replica>}; throws IllegalArgumentException on anything else. */
  public static ReplicaId parse(String entityId) {
    int hash = entityId.lastIndexOf('#');
    if (hash <= 0 || hash == entityId.length() - 1) {
      throw new IllegalArgumentException("entity id must be <modelId>#<replica>, got '" + entityId + "'");
    }
    try {
      return new ReplicaId(entityId.substring(0, hash), Integer.parseInt(entityId.substring(hash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("replica of '" + entityId + "' is not a number", e);
    }
  }

  public String entityId() {
    return modelId + "#" + replica;
  }

  @Override
  public String toString() {
    return entityId();
  }
}
