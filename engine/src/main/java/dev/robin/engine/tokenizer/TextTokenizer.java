package dev.robin.engine.tokenizer;

/**
 * A model's own tokenizer (its {@code tokenizer.json}), with BOS and special tokens as its
 * {@code tokenizer_config.json} says.
 */
public interface TextTokenizer extends AutoCloseable {

  /** Token ids of {@code text}; with {@code addSpecialTokens} the BOS (and whatever the config adds). */
  int[] encode(String text, boolean addSpecialTokens);

  /** Text of {@code ids}; special tokens (BOS, EOS, …) are left out when {@code skipSpecialTokens}. */
  String decode(int[] ids, boolean skipSpecialTokens);

  /** A detokenizer for one sequence's generated tokens, emitting whole UTF-8 characters only. */
  IncrementalDetokenizer newDetokenizer();

  /**
   * A detokenizer whose text continues {@code promptIds}: some decoders (SentencePiece's) strip the leading
   * space of a sequence's first word, which a completion must keep. Prefer this one for generations.
   */
  default IncrementalDetokenizer newDetokenizer(int[] promptIds) {
    return newDetokenizer();
  }

  /** Whether {@code id} is a special (control) token such as BOS or EOS. */
  boolean isSpecial(int id);

  /** Text of a single token, as shown in log-probabilities ({@code token} field); special tokens included. */
  String tokenText(int id);

  /** The BOS token as text, e.g. {@code <s>}; empty when the model has none. */
  String bosToken();

  /** The EOS token as text, e.g. {@code </s>}; empty when the model has none. */
  String eosToken();

  int vocabSize();

  @Override
  void close();
}
