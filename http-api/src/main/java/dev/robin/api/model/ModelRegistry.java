package dev.robin.api.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models this server answers for, in registration order. Whoever loads models (the serve command)
 * calls {@link #loading} when it starts loading one, {@link #register} once its actor and tokenizer exist,
 * and {@link #failed} when loading failed; the routes only read. Thread-safe; reads never block on a write
 * for long (a copy-on-write snapshot).
 */
public final class ModelRegistry {

  /** A model known by name that cannot serve yet (or ever): shown by /models and /health. */
  public record Pending(String id, PendingState state, String message) {}

  public enum PendingState {
    LOADING,
    FAILED
  }

  private final Map<String, Object> entries = new LinkedHashMap<>();
  private volatile List<ServedModel> served = List.of();
  private volatile List<Pending> pending = List.of();

  public synchronized void loading(String id) {
    entries.put(id, new Pending(id, PendingState.LOADING, "The model '" + id + "' is still loading."));
    publish();
  }

  public synchronized void failed(String id, String message) {
    entries.put(id, new Pending(id, PendingState.FAILED, message));
    publish();
  }

  /** Adds or replaces a model. */
  public synchronized void register(ServedModel model) {
    entries.put(model.id(), model);
    publish();
  }

  public synchronized boolean remove(String id) {
    boolean removed = entries.remove(id) != null;
    publish();
    return removed;
  }

  public Optional<ServedModel> find(String id) {
    for (ServedModel m : served) {
      if (m.id().equals(id)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  public Optional<Pending> findPending(String id) {
    return pending.stream().filter(p -> p.id().equals(id)).findFirst();
  }

  /** Registered models, in registration order. */
  public List<ServedModel> all() {
    return served;
  }

  /** Models that are loading or failed to load. */
  public List<Pending> pending() {
    return pending;
  }

  public boolean anyReady() {
    return served.stream().anyMatch(ServedModel::isReady);
  }

  private void publish() {
    List<ServedModel> s = new ArrayList<>();
    List<Pending> p = new ArrayList<>();
    for (Object e : entries.values()) {
      if (e instanceof ServedModel m) {
        s.add(m);
      } else {
        p.add((Pending) e);
      }
    }
    served = List.copyOf(s);
    pending = List.copyOf(p);
  }
}
