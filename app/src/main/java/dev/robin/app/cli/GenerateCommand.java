package dev.robin.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.core.SequenceOutput;
import dev.robin.engine.load.EngineOptions;
import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.request.GenerationRequest;
import dev.robin.engine.request.Rejection;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.tokenizer.IncrementalDetokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/robin generate}: one prompt through the engine, in-process, with no server. Prints the text as it
 * is generated, or with {@code --json} one object with the token ids, for comparing with other implementations.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate text for one prompt in-process (no server).")
public final class GenerateCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = "synthetic:tiny",
      description = "A Hugging Face model directory or synthetic:PRESET (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--prompt", required = true, description = "The prompt text.")
  String prompt;

  @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens to generate at most.")
  int maxTokens;

  @Option(names = "--temperature", defaultValue = "0.7", description = "0 is greedy.")
  double temperature;

  @Option(names = "--top-p", defaultValue = "1.0")
  double topP;

  @Option(names = "--top-k", defaultValue = "0", description = "0 disables top-k.")
  int topK;

  @Option(names = "--seed", description = "Seed of the sampler (same seed and prompt give the same text).")
  Long seed;

  @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16.")
  String dtype;

  @Option(names = "--json", description = "Print one JSON object instead of streaming text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (maxTokens <= 0) {
      System.err.println("robin generate: --max-tokens must be positive");
      return 2;
    }
    EngineOptions options = EngineOptions.defaults().withDtype(EngineOptions.parseDtype(dtype));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (LoadedModel loaded = LoadedModel.open("cli", model, options);
        EngineCore engine = loaded.createEngine()) {
      int[] promptIds = loaded.tokenizer().encode(prompt, true);
      SamplingParams sampling = new SamplingParams(temperature, topP, topK, seed, 0.0, 0.0, -1, LogitBias.NONE);
      Optional<Rejection> rejection = engine.submit(GenerationRequest.of("cli", promptIds, sampling, maxTokens));
      if (rejection.isPresent()) {
        System.err.println("robin generate: " + rejection.get().message());
        return 1;
      }
      IncrementalDetokenizer detokenizer = loaded.tokenizer().newDetokenizer(promptIds);
      StringBuilder text = new StringBuilder();
      List<Integer> outputIds = new ArrayList<>();
      String finishReason = null;
      long firstTokenNanos = 0;
      long lastTokenNanos = 0;
      while (finishReason == null && engine.hasWork()) {
        for (SequenceOutput output : engine.step()) {
          for (SampledToken token : output.newTokens()) {
            lastTokenNanos = System.nanoTime();
            if (outputIds.isEmpty()) {
              firstTokenNanos = lastTokenNanos;
            }
            outputIds.add(token.tokenId());
            String delta = detokenizer.push(token.tokenId());
            text.append(delta);
            if (!json) {
              out.print(delta);
            }
          }
          if (output.isFinished()) {
            finishReason = output.finishReason().name().toLowerCase(Locale.ROOT);
          }
        }
      }
      String tail = detokenizer.flush();
      text.append(tail);
      // Decode speed: tokens after the first over the time since the first (the prompt is excluded).
      double seconds = (lastTokenNanos - firstTokenNanos) / 1e9;
      double tokensPerSecond = outputIds.size() > 1 && seconds > 0 ? (outputIds.size() - 1) / seconds : 0.0;
      if (json) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode node = mapper.createObjectNode();
        node.putPOJO("prompt_ids", promptIds);
        node.putPOJO("output_ids", outputIds);
        node.put("text", text.toString());
        node.put("finish_reason", finishReason);
        node.put("tokens_per_second", Math.round(tokensPerSecond * 10) / 10.0);
        out.println(mapper.writeValueAsString(node));
      } else {
        out.println(tail);
        System.err.printf(Locale.ROOT, "[%d tokens, %s, %.1f tokens/s]%n", outputIds.size(), finishReason,
            tokensPerSecond);
      }
      return 0;
    }
  }
}
