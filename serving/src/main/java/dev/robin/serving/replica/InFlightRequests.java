package dev.robin.serving.replica;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.sampling.SampledToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The requests a model actor is generating: by request id, and how many each
 * requester has (so the actor watches a requester once and unwatches it when it has nothing left).
 */
final class InFlightRequests {

  /** One admitted request. */
  static final class Entry {
    final String requestId;
    final ActorRef<GenerationEvent> replyTo;
    final int numPromptTokens;
    int numGeneratedTokens;
    int numCachedPromptTokens;
    boolean started;
    /** Flow control: the last Tokens event sent, the last one the requester handled, tokens held back since. */
    int sentSeq;
    int handledSeq;
    final List<SampledToken> held = new ArrayList<>();

    Entry(String requestId, ActorRef<GenerationEvent> replyTo, int numPromptTokens) {
      this.requestId = requestId;
      this.replyTo = replyTo;
      this.numPromptTokens = numPromptTokens;
    }

    void tell(GenerationEvent event) {
      replyTo.tell(event);
    }

    /**
     * Sends {@code tokens} (with any held back) unless {@code window} events are unacknowledged: then holds them
     * for the next acknowledgement, so a requester that falls behind gets fewer, larger events instead of a pile.
     */
    void sendTokens(List<SampledToken> tokens, int window) {
      held.addAll(tokens);
      if (sentSeq - handledSeq < window) {
        flushTokens();
      }
    }

    /** Sends what is held, whatever the window: before the request's last event, and after an acknowledgement. */
    void flushTokens() {
      if (!held.isEmpty()) {
        tell(new GenerationEvent.Tokens(requestId, ++sentSeq, List.copyOf(held)));
        held.clear();
      }
    }

    /** The requester handled the Tokens events up to {@code seq}. */
    void handled(int seq, int window) {
      handledSeq = Math.max(handledSeq, seq);
      if (sentSeq - handledSeq < window) {
        flushTokens();
      }
    }

    /** The request's last event when it ended for {@code reason}, with its token counts. */
    GenerationEvent.Finished finished(FinishReason reason) {
      return new GenerationEvent.Finished(
          requestId, reason, numPromptTokens, numGeneratedTokens, numCachedPromptTokens);
    }
  }

  private final Map<String, Entry> byRequest = new HashMap<>();
  private final Map<ActorRef<GenerationEvent>, Integer> numByRequester = new HashMap<>();

  boolean contains(String requestId) {
    return byRequest.containsKey(requestId);
  }

  Entry byRequest(String requestId) {
    return byRequest.get(requestId);
  }

  /** Adds a request; true when its requester had no other request (the caller starts watching it). */
  boolean add(Entry entry) {
    byRequest.put(entry.requestId, entry);
    return numByRequester.merge(entry.replyTo, 1, Integer::sum) == 1;
  }

  /** Removes a request; true when its requester has none left (the caller stops watching it). */
  boolean remove(Entry entry) {
    if (byRequest.remove(entry.requestId) == null) {
      return false;
    }
    Integer left = numByRequester.computeIfPresent(entry.replyTo, (ref, n) -> n == 1 ? null : n - 1);
    return left == null;
  }

  List<Entry> ofRequester(ActorRef<GenerationEvent> requester) {
    return byRequest.values().stream().filter(e -> e.replyTo.equals(requester)).toList();
  }

  List<Entry> all() {
    return new ArrayList<>(byRequest.values());
  }

  int size() {
    return byRequest.size();
  }
}
