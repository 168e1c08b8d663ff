package dev.robin.api.connection;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one client connection, as seen by the requests it carries: a request registers a hook that runs
 * when the connection goes away (the client closed or reset it, or the server terminated it) and removes it
 * once answered, so a long keep-alive connection holds only the hooks of its unanswered requests. Each hook
 * runs at most once; thread-safe.
 */
public final class ConnectionScope {

  /** The request attribute carrying the scope of the connection a request arrived on. */
  public static final AttributeKey<ConnectionScope> KEY =
      AttributeKey.create("robin-connection-scope", ConnectionScope.class);

  private static final Logger log = LoggerFactory.getLogger(ConnectionScope.class);

  /** For requests that did not come through {@link ConnectionScopes} (route tests): never closes, keeps nothing. */
  private static final ConnectionScope DETACHED = new ConnectionScope(true);

  private final boolean detached;
  private final Set<Hook> hooks = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  ConnectionScope() {
    this(false);
  }

  private ConnectionScope(boolean detached) {
    this.detached = detached;
  }

  /** The scope of {@code request}'s connection; a detached one (no hooks ever run) when it carries none. */
  public static ConnectionScope of(HttpRequest request) {
    return request.getAttribute(KEY).orElse(DETACHED);
  }

  /**
   * Runs {@code hook} when the connection goes away (at once, on the calling thread, if it already has), unless
   * the returned registration is cancelled first.
   */
  public Registration onClose(Runnable hook) {
    if (detached) {
      return () -> {};
    }
    Hook h = new Hook(hook);
    hooks.add(h);
    if (closed.get()) {
      h.fire(); // close() may have iterated before the add; Hook.fire runs it once either way
    }
    return h;
  }

  /** The connection went away: runs every registered hook once. Idempotent. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      for (Hook h : hooks) {
        h.fire();
      }
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Hooks registered and neither run nor cancelled. */
  public int numHooks() {
    return hooks.size();
  }

  /** A registered hook; {@link #cancel()} forgets it (no effect once it ran). */
  @FunctionalInterface
  public interface Registration {
    void cancel();
  }

  private final class Hook implements Registration {
    private final Runnable action;
    private final AtomicBoolean spent = new AtomicBoolean();

    Hook(Runnable action) {
      this.action = action;
    }

    void fire() {
      if (spent.compareAndSet(false, true)) {
        hooks.remove(this);
        try {
          action.run();
        } catch (RuntimeException e) {
          log.warn("A connection-close hook failed", e);
        }
      }
    }

    @Override
    public void cancel() {
      if (spent.compareAndSet(false, true)) {
        hooks.remove(this);
      }
    }
  }
}
