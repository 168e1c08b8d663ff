package dev.robin.serving.stats;

import dev.robin.engine.core.StepTokens;
import java.util.Locale;

/** What a model step computed: its duration is what every sequence in it waited for its next token. */
public enum StepKind {
  /** Only decode tokens: the inter-token latency of a steady batch. */
  DECODE,
  /** Decode tokens plus prompt tokens: what streaming clients wait while new prompts arrive. */
  MIXED,
  /** Only prompt tokens: nobody was decoding. */
  PREFILL;

  /** The kind of a step that computed {@code tokens}; must not be empty. */
  public static StepKind of(StepTokens tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("an empty step has no kind");
    }
    if (tokens.numPromptTokens() == 0) {
      return DECODE;
    }
    return tokens.numDecodeTokens() == 0 ? PREFILL : MIXED;
  }

  /** The metric label value, e.g. {@code decode}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
