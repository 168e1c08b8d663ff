package dev.robin.serving.replica;

import dev.robin.engine.sampling.SamplingParams;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a model actor (one per model replica) understands.
 *
 * <p>Local only: commands carry {@code ActorRef}s and token arrays and are never serialized, so the
 * requester and the model shard must live in the same JVM (a single-node cluster, or a cluster where each
 * node hosts the shards of the models it serves).
 */
public final class ModelProtocol {

  private ModelProtocol() {}

  /** Commands to a model actor; the actor's own internal commands live in {@link ModelActor}. */
  public sealed interface Command permits Generate, Cancel, ModelActor.InternalCommand {}

  /**
   * Generate up to {@code maxTokens} tokens after {@code promptIds}; events go to {@code replyTo}, ending with
   * exactly one {@code Finished}, {@code Rejected} or {@code Failed}. With {@code ignoreEos} (vLLM's
   * {@code ignore_eos}, used by benchmarks that need exactly N tokens) an EOS token does not finish the
   * sequence: only {@code maxTokens} or a full context does.
   */
  public record Generate(
      String requestId,
      int[] promptIds,
      SamplingParams sampling,
      int maxTokens,
      boolean ignoreEos,
      ActorRef<GenerationEvent> replyTo)
      implements Command {

    /** A request that stops at EOS. */
    public Generate(
        String requestId, int[] promptIds, SamplingParams sampling, int maxTokens, ActorRef<GenerationEvent> replyTo) {
      this(requestId, promptIds, sampling, maxTokens, false, replyTo);
    }
  }

  /** Stop generating {@code requestId} and release what it holds; it finishes with {@code CANCELLED}. */
  public record Cancel(String requestId) implements Command {}
}
