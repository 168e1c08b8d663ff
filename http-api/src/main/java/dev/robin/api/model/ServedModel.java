package dev.robin.api.model;

import dev.robin.serving.replica.ModelActor;
import dev.robin.serving.stats.ModelStats;
import dev.robin.engine.chat.ChatTemplate;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A model the HTTP layer can serve: what {@code /models} shows, what the routes need to build a prompt
 * (tokenizer, chat template) and whom to ask for tokens (the model actor). Statistics come from
 * {@code stats}, which must return the latest published {@link ModelStats} without messaging the model's
 * step loop (it is called by {@code /health} and {@code /metrics}).
 *
 * @param id the name clients put in {@code model}
 * @param created unix seconds, shown in {@code /models}
 * @param ownedBy shown in {@code /models}
 * @param maxModelLen the context length in tokens (prompt + completion)
 * @param replicas model actors behind {@code actor}
 * @param chatTemplate null when the model has none (chat completions are then refused)
 * @param actor takes each choice's {@link ModelActor.Generate} and hands it to a replica (the model's router)
 */
public record ServedModel(
    String id,
    long created,
    String ownedBy,
    int maxModelLen,
    int replicas,
    TextTokenizer tokenizer,
    ChatTemplate chatTemplate,
    ActorRef<ModelActor.Generate> actor,
    Supplier<ModelStats> stats) {

  public ServedModel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(stats, "stats");
    if (maxModelLen < 1) {
      throw new IllegalArgumentException("maxModelLen must be positive: " + maxModelLen);
    }
  }

  public Optional<ChatTemplate> template() {
    return Optional.ofNullable(chatTemplate);
  }

  public ModelStats currentStats() {
    return stats.get();
  }

  public boolean isReady() {
    return currentStats().status() == ModelStats.Status.READY;
  }
}
