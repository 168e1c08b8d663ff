package dev.robin.api.request;

import dev.robin.engine.request.FinishReason;
import dev.robin.engine.toolcall.ToolCallExtractor;
import dev.robin.serving.replica.ModelActor;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.tokenizer.IncrementalDetokenizer;
import dev.robin.engine.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** One choice of a request (one sequence in the model): its text so far, stop matching, token counts. */
final class ChoiceState {

  /**
   * What a batch of tokens added: text to send (possibly empty), their log-probabilities, the tool calls they
   * completed, whether a stop string ended it.
   */
  record Delta(String text, List<TokenLogprob> logprobs, List<Call> calls, boolean stopMatched) {
    boolean isEmpty() {
      return text.isEmpty() && logprobs.isEmpty() && calls.isEmpty();
    }
  }

  /**
   * A tool call of the choice, as the API shows it.
   *
   * @param index its position among the choice's calls
   * @param arguments the arguments as a JSON-encoded string
   */
  record Call(int index, String id, String name, String arguments) {}

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
  private final List<Call> calls = new ArrayList<>();
  /** Null when the request gives no tools to the model. */
  private final ToolCalling toolCalling;
  private final ToolCallExtractor toolCalls;
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
  /** "stop", "length" or "tool_calls" once the client-visible choice is complete; null while it runs. */
  String finishReason;

  ChoiceState(
      int index, int promptIndex, String requestId, TextTokenizer tokenizer, int[] promptIds, List<String> stops,
      boolean wantsLogprobs, String echoPrefix, ToolCalling toolCalling) {
    this.index = index;
    this.promptIndex = promptIndex;
    this.requestId = requestId;
    this.tokenizer = tokenizer;
    // The prompt is the text's context: SentencePiece strips a leading space only at a sequence's start.
    this.detokenizer = tokenizer.newDetokenizer(promptIds);
    this.stopMatcher = new StopMatcher(stops);
    this.wantsLogprobs = wantsLogprobs;
    this.toolCalling = toolCalling;
    this.toolCalls = toolCalling == null ? null : toolCalling.newExtractor();
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
        return finish("stop", out.toString(), logprobs, true);
      }
    }
    return record(out.toString(), logprobs, false);
  }

  /** The model finished the sequence: release what the detokenizer and the stop matcher still hold. */
  Delta onFinished(FinishReason reason) {
    StopMatcher.Result r = stopMatcher.push(detokenizer.flush());
    if (r.stopped()) {
      return finish("stop", r.emit(), List.of(), true);
    }
    return finish(openAiFinishReason(reason), r.emit() + stopMatcher.flush(), List.of(), false);
  }

  /** The choice's last text: what the tool-call reader still held comes out, and the finish reason is set. */
  private Delta finish(String reason, String last, List<TokenLogprob> logprobs, boolean stopMatched) {
    Delta delta = record(last, logprobs, stopMatched);
    if (toolCalls != null) {
      Delta rest = withCalls(toolCalls.finish(), List.of(), stopMatched);
      delta = new Delta(delta.text() + rest.text(), delta.logprobs(), concat(delta.calls(), rest.calls()),
          stopMatched);
    }
    // A choice that called functions ends with "tool_calls", unless it was cut short.
    finishReason = !calls.isEmpty() && !"length".equals(reason) ? "tool_calls" : reason;
    return delta;
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

  /** New output: as text, or through the tool-call reader. */
  private Delta record(String output, List<TokenLogprob> logprobs, boolean stopMatched) {
    allLogprobs.addAll(logprobs);
    if (toolCalls == null) {
      text.append(output);
      return new Delta(output, logprobs, List.of(), stopMatched);
    }
    return withCalls(toolCalls.push(output), logprobs, stopMatched);
  }

  private Delta withCalls(ToolCallExtractor.Output out, List<TokenLogprob> logprobs, boolean stopMatched) {
    text.append(out.content());
    List<Call> added = new ArrayList<>();
    for (ToolCallExtractor.Call call : out.calls()) {
      if (!toolCalling.parallel() && !calls.isEmpty()) {
        break; // parallel_tool_calls false: the first call only
      }
      Call c = new Call(calls.size(), toolCalling.newCallId(), call.name(), call.arguments());
      calls.add(c);
      added.add(c);
    }
    return new Delta(out.content(), logprobs, added, stopMatched);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** The tool calls so far. */
  List<Call> calls() {
    return calls;
  }

  private TokenLogprob logprobOf(SampledToken token, int offset) {
    List<TokenLogprob.Alternative> top = new ArrayList<>(token.topIds().length);
    for (int i = 0; i < token.topIds().length; i++) {
      top.add(new TokenLogprob.Alternative(tokenizer.tokenText(token.topIds()[i]), token.topLogprobs()[i]));
    }
    return new TokenLogprob(tokenizer.tokenText(token.tokenId()), token.logprob(), top, offset);
  }
}
