package dev.robin.api.route;

import dev.robin.api.openai.ResponseKind;
import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.connection.ConnectionScope;
import dev.robin.api.error.ApiError;
import dev.robin.api.guard.Caller;
import dev.robin.api.model.ServedModel;
import dev.robin.api.openai.ChatCompletionRequest;
import dev.robin.api.openai.CompletionRequest;
import dev.robin.api.openai.GenerationOptions;
import dev.robin.api.openai.LogitBiasParser;
import dev.robin.api.openai.ParsedRequest;
import dev.robin.api.request.CompletionRequestActor;
import dev.robin.api.request.GenerationJob;
import dev.robin.api.request.RequestServices;
import dev.robin.api.request.ToolCalling;
import dev.robin.api.openai.ToolUse;
import dev.robin.engine.toolcall.ToolCallFormat;
import dev.robin.engine.chat.ChatTemplateException;
import dev.robin.engine.tokenizer.TextTokenizer;
import dev.robin.api.config.RobinVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From a request body to a running {@link CompletionRequestActor}: parses and validates it, finds the model,
 * renders the chat template, tokenizes (all on the blocking dispatcher, never on the HTTP threads) and spawns the
 * request actor that answers.
 * Whether a prompt fits the model is the replica's scheduler's rule; its refusal comes back as a rejection.
 */
final class CompletionService {

  private static final Logger log = LoggerFactory.getLogger(CompletionService.class);

  private final ActorSystem<?> system;
  private final ModelLookup lookup;
  private final RequestServices services;
  private final Executor tokenizerExecutor;

  CompletionService(ActorSystem<?> system, ModelLookup lookup, RequestServices services, Executor tokenizerExecutor) {
    this.system = system;
    this.lookup = lookup;
    this.services = services;
    this.tokenizerExecutor = tokenizerExecutor;
  }

  CompletionStage<HttpResponse> chat(JsonNode body, Caller caller, String requestId, ConnectionScope connection) {
    refuseWhileDraining();
    // Parsing checks output constraints: a schema not seen lately compiles (up to tens of ms), never on the HTTP
    // threads.
    return CompletableFuture.supplyAsync(
            () -> ChatCompletionRequest.parse(body, services.settings().maxTokensLimit()), tokenizerExecutor)
        .thenCompose(parsed -> chat(parsed, caller, requestId, connection));
  }

  private CompletionStage<HttpResponse> chat(
      ParsedRequest<ChatCompletionRequest> parsed, Caller caller, String requestId, ConnectionScope connection) {
    logIgnored(requestId, parsed.ignoredFields());
    ChatCompletionRequest request = parsed.request();
    ServedModel model = lookup.ready(request.model());
    LogitBiasParser.checkVocabulary(request.options().logitBias(), model.tokenizer().vocabSize());
    if (model.chatTemplate() == null) {
      throw ApiError.invalidValue(
              "model", "The model '" + model.id() + "' has no chat template; use /v1/completions instead.")
          .toException();
    }
    int topLogprobs = request.logprobs() ? request.topLogprobs() : -1;
    ToolUse tools = request.tools();
    ToolCalling toolCalling = null;
    if (tools.isActive()) {
      ToolCallFormat format = toolCallFormat(model);
      toolCalling = new ToolCalling(tools.choice(), format, tools.function(), tools.parallel());
    }
    ToolCalling calling = toolCalling;
    return CompletableFuture.supplyAsync(
            () -> {
              String prompt;
              try {
                prompt = model.chatTemplate().render(
                    request.messages(), calling == null ? null : tools.tools(), true);
              } catch (ChatTemplateException e) {
                throw ApiError.invalidValue("messages", "The chat template rejected the messages: " + e.getMessage())
                    .toException();
              }
              // The template writes BOS itself where the model expects one.
              return List.of(new GenerationJob.Prompt(model.tokenizer().encode(prompt, false), ""));
            },
            tokenizerExecutor)
        .thenCompose(
            prompts -> start(requestId, "chatcmpl-", ResponseKind.CHAT, model, prompts,
                request.options(), topLogprobs, false, caller, connection, calling));
  }

  CompletionStage<HttpResponse> completion(
      JsonNode body, Caller caller, String requestId, ConnectionScope connection) {
    refuseWhileDraining();
    return CompletableFuture.supplyAsync(
            () -> CompletionRequest.parse(body, services.settings().maxTokensLimit()), tokenizerExecutor)
        .thenCompose(parsed -> completion(parsed, caller, requestId, connection));
  }

  private CompletionStage<HttpResponse> completion(
      ParsedRequest<CompletionRequest> parsed, Caller caller, String requestId, ConnectionScope connection) {
    logIgnored(requestId, parsed.ignoredFields());
    CompletionRequest request = parsed.request();
    ServedModel model = lookup.ready(request.model());
    LogitBiasParser.checkVocabulary(request.options().logitBias(), model.tokenizer().vocabSize());
    int topLogprobs = request.logprobs() == null ? -1 : request.logprobs();
    return CompletableFuture.supplyAsync(
            () -> {
              TextTokenizer tokenizer = model.tokenizer();
              List<GenerationJob.Prompt> prompts = new ArrayList<>();
              for (CompletionRequest.Prompt p : request.prompts()) {
                int[] ids;
                String text;
                if (p.text() != null) {
                  ids = tokenizer.encode(p.text(), true);
                  text = p.text();
                } else {
                  ids = checkedIds(p.tokenIds(), tokenizer.vocabSize());
                  text = tokenizer.decode(ids, false);
                }
                prompts.add(new GenerationJob.Prompt(ids, text));
              }
              return List.copyOf(prompts);
            },
            tokenizerExecutor)
        .thenCompose(
            prompts -> start(requestId, "cmpl-", ResponseKind.TEXT, model, prompts, request.options(),
                topLogprobs, request.echo(), caller, connection, null));
  }

  private CompletionStage<HttpResponse> start(
      String requestId, String idPrefix, ResponseKind kind, ServedModel model,
      List<GenerationJob.Prompt> prompts, GenerationOptions options, int topLogprobs, boolean echo, Caller caller,
      ConnectionScope connection, ToolCalling toolCalling) {
    refuseWhileDraining();
    int maxTokens = options.maxTokens() != null ? options.maxTokens() : services.settings().defaultMaxTokens();
    GenerationJob job =
        new GenerationJob(
            idPrefix + requestId, kind, model, prompts, options, maxTokens, topLogprobs, echo,
            System.currentTimeMillis() / 1000, caller, systemFingerprint(model.id()), toolCalling);
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    ActorRef<CompletionRequestActor.Command> actor =
        system.systemActorOf(
            CompletionRequestActor.create(job, services, response), "request-" + job.id(), Props.empty());
    // A client that leaves before its response is handed over (a whole completion, or a stream not yet admitted)
    // must not keep the model generating; once answered, the hook goes, so keep-alive connections hold none.
    ConnectionScope.Registration hook = connection.onClose(() -> actor.tell(new CompletionRequestActor.ClientGone()));
    response.whenComplete((r, e) -> hook.cancel());
    return response;
  }

  /**
   * How {@code model} writes tool calls: the rule that tools go only to a model whose template shows them, for
   * every route that renders a prompt with tools (400 on {@code tools} otherwise).
   */
  static ToolCallFormat toolCallFormat(ServedModel model) {
    return ToolCallFormat.of(model.chatTemplate()).orElseThrow(() -> ApiError.invalidValue(
        "tools", "The model '" + model.id() + "' cannot be given tools: its chat template does not show them "
            + "to the model.").toException());
  }

  private void refuseWhileDraining() {
    if (services.inFlight().isDraining()) {
      throw ApiError.overloaded(
              "The server is shutting down. Please retry on another server.", services.settings().overloadRetryAfter())
          .toException();
    }
  }

  private static int[] checkedIds(int[] ids, int vocabSize) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] >= vocabSize) {
        throw ApiError.invalidValue(
                "prompt", "Token id " + ids[i] + " at position " + i + " is outside the vocabulary (size " + vocabSize
                    + ").")
            .toException();
      }
    }
    return ids;
  }

  private static void logIgnored(String requestId, List<String> ignored) {
    if (!ignored.isEmpty() && log.isDebugEnabled()) {
      log.debug("Request {}: ignoring unknown fields {}", requestId, ignored);
    }
  }

  /** Stable per server version and model, as OpenAI's identifies a backend configuration. */
  static String systemFingerprint(String modelId) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((RobinVersion.VERSION + "/" + modelId).getBytes(StandardCharsets.UTF_8));
      return "fp_" + HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
