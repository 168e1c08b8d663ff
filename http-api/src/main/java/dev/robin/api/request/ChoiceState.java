package dev.robin.api.request;

import dev.robin.engine.request.FinishReason;
import dev.robin.serving.replica.ModelActor;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.tokenizer.IncrementalDetokenizer;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** One choice of a request (one sequence in the model): its text so far, stop matching, token counts. */
final class ChoiceState {

  /** What a batch of tokens added: text to send (possibly empty), their log-probabilities, whether a stop string ended it. */
  record Delta(String text, List<TokenLogprob> logprobs, boolean stopMatched) {
    boolean isEmpty() {
      return text.isEmpty() && logprobs.isEmpty();
    }
  }

  final int index;
  final int promptIndex;
  /** The model request's id. */
  final String requestId;
  private final TextTokenizer tokenizer;
  private final IncrementalDetokenizer detokenizer;
  private final StopMatcher stopMatcher;
  private final boolean wantsLogprobs;
  private final StringBuilder text = new StringBuilder();
  private final List<TokenLogprob> allLogprobs = new ArrayList<>();
  private int numChars;

  /**
   * The replica the request was sent to (where a cancel goes); null until the router names it ({@code Routed}, or
   * {@code Accepted} from a replica reached some other way).
   */
  ActorRef<ModelActor.Command> replica;

  /** The replica accepted the request. */
  boolean accepted;
  /** The model sent its last event for this sequence (Finished, Rejected or Failed). */
  boolean terminal;
  int numTokens;
  int cachedPromptTokens;
  /** "stop" or "length" once the client-visible choice is complete; null while it runs. */
  String finishReason;

  ChoiceState(
      int index, int promptIndex, String requestId, TextTokenizer tokenizer, int[] promptIds, List<String> stops,
      boolean wantsLogprobs, String echoPrefix) {
    this.index = index;
    this.promptIndex = promptIndex;
    this.requestId = requestId;
    this.tokenizer = tokenizer;
    // The prompt is the text's context: SentencePiece strips a leading space only at a sequence's start.
    this.detokenizer = tokenizer.newDetokenizer(promptIds);
    this.stopMatcher = new StopMatcher(stops);
    this.wantsLogprobs = wantsLogprobs;
    text.append(echoPrefix);
    numChars = echoPrefix.length();
  }

  boolean isFinished() {
    return finishReason != null;
  }

  Delta onTokens(List<SampledToken> tokens) {
    StringBuilder out = new StringBuilder();
    List<TokenLogprob> logprobs = new ArrayList<>();
    for (SampledToken token : tokens) {
      numTokens++;
      String piece = detokenizer.push(token.tokenId());
      if (wantsLogprobs) {
        logprobs.add(logprobOf(token, numChars));
      }
      numChars += piece.length();
      StopMatcher.Result r = stopMatcher.push(piece);
      out.append(r.emit());
      if (r.stopped()) {
        finishReason = "stop";
        return record(new Delta(out.toString(), logprobs, true));
      }
    }
    return record(new Delta(out.toString(), logprobs, false));
  }

  /** The model finished the sequence: release what the detokenizer and the stop matcher still hold. */
  Delta onFinished(FinishReason reason) {
    StopMatcher.Result r = stopMatcher.push(detokenizer.flush());
    if (r.stopped()) {
      finishReason = "stop";
      return record(new Delta(r.emit(), List.of(), true));
    }
    finishReason = openAiFinishReason(reason);
    return record(new Delta(r.emit() + stopMatcher.flush(), List.of(), false));
  }

  /** The one mapping of an engine finish to the API's {@code finish_reason}. */
  static String openAiFinishReason(FinishReason reason) {
    return reason == FinishReason.LENGTH ? "length" : "stop";
  }

  boolean isAccepted() {
    return accepted;
  }

  String text() {
    return text.toString();
  }

  List<TokenLogprob> allLogprobs() {
    return allLogprobs;
  }

  private Delta record(Delta delta) {
    text.append(delta.text());
    allLogprobs.addAll(delta.logprobs());
    return delta;
  }

  private TokenLogprob logprobOf(SampledToken token, int offset) {
    List<TokenLogprob.Alternative> top = new ArrayList<>(token.topIds().length);
    for (int i = 0; i < token.topIds().length; i++) {
      top.add(new TokenLogprob.Alternative(tokenizer.tokenText(token.topIds()[i]), token.topLogprobs()[i]));
    }
    return new TokenLogprob(tokenizer.tokenText(token.tokenId()), token.logprob(), top, offset);
  }
}
