package dev.robin.api.route;

import dev.robin.api.error.ApiError;
import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.stats.ModelStats;
import java.time.Duration;

/** Finds the model a request names and checks that it can serve now. */
final class ModelLookup {

  private final ModelRegistry registry;
  private final Duration retryAfter;

  ModelLookup(ModelRegistry registry, Duration retryAfter) {
    this.registry = registry;
    this.retryAfter = retryAfter;
  }

  /** A ready model, or an {@link dev.robin.api.error.ApiException}: 404 unknown, 503 loading or stopped. */
  ServedModel ready(String id) {
    ServedModel model = registry.find(id).orElse(null);
    if (model == null) {
      var pending = registry.findPending(id);
      if (pending.isEmpty()) {
        throw ApiError.modelNotFound(id).toException();
      }
      if (pending.get().state() == ModelRegistry.PendingState.LOADING) {
        throw ApiError.overloaded("The model '" + id + "' is still loading. Please retry shortly.", retryAfter)
            .toException();
      }
      throw ApiError.overloaded("The model '" + id + "' failed to load and cannot serve.", null).toException();
    }
    ModelStats.Status status = model.currentStats().status();
    return switch (status) {
      case READY -> model;
      case LOADING -> throw ApiError.overloaded(model.replicas() > 0
              ? "The model '" + id + "' is still loading. Please retry shortly."
              : "No replica of the model '" + id + "' serves now (its nodes are loading it, or unreachable). "
                  + "Please retry shortly.", retryAfter)
          .toException();
      case STOPPING -> throw ApiError.overloaded(
              "The model '" + id + "' is shutting down. Please retry on another server.", retryAfter)
          .toException();
      case FAILED -> throw ApiError.overloaded("The model '" + id + "' has failed and cannot serve.", null)
          .toException();
    };
  }
}
