package dev.robin.bench;

import java.time.Duration;
import java.util.function.BiConsumer;
import picocli.CommandLine.Option;

/** What each request of a streamed-completions load is (picocli mixin of {@code bench} and {@code bench cluster}). */
public final class StreamedLoadOptions {

  @Option(names = "--max-tokens", defaultValue = "64", description = "max_tokens per request (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--prompt-tokens", defaultValue = "128",
      description = "Prompt length in tokens: random words, distinct per request, sized with the server's POST "
          + "/v1/tokenize (one word per token if it has none) (default: ${DEFAULT-VALUE}).")
  int promptTokens;

  @Option(names = "--ignore-eos", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Send ignore_eos so every request generates max_tokens (default: ${DEFAULT-VALUE}).")
  boolean ignoreEos;

  @Option(names = "--timeout", defaultValue = "600", description = "Seconds one request may take (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the random prompts (default: ${DEFAULT-VALUE}).")
  long seed;

  /** Reports each invalid value's message to {@code require} (condition, message). */
  void validate(BiConsumer<Boolean, String> require) {
    require.accept(maxTokens >= 1, "--max-tokens must be at least 1");
    require.accept(promptTokens >= 1, "--prompt-tokens must be at least 1");
    require.accept(timeoutSeconds >= 1, "--timeout must be at least 1 second");
  }

  Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  /** {@code --max-tokens N --prompt-tokens P}, and {@code --no-ignore-eos} when so, each with a leading space. */
  void appendTo(StringBuilder commandLine) {
    commandLine.append(" --max-tokens ").append(maxTokens).append(" --prompt-tokens ").append(promptTokens);
    if (!ignoreEos) {
      commandLine.append(" --no-ignore-eos");
    }
  }
}
