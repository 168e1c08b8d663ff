package dev.robin.server;

import com.typesafe.config.Config;
import dev.robin.api.model.ServedModel;
import java.util.ServiceLoader;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Loads a model and starts its actor(s) for {@code bin/robin serve}. The implementation lives with the engine
 * integration and is found through {@link ServiceLoader} (a
 * {@code META-INF/services/dev.robin.server.ModelLauncher} entry), so the server does not depend on how
 * models are loaded or sharded.
 */
public interface ModelLauncher {

  /** Completes with the served model once it can take requests; fails with a message fit for an operator. */
  CompletionStage<ServedModel> launch(ActorSystem<?> system, ModelSpec spec, Config config);

  /** The launcher on the classpath, or null when there is none. */
  static ModelLauncher find() {
    return ServiceLoader.load(ModelLauncher.class).findFirst().orElse(null);
  }
}
