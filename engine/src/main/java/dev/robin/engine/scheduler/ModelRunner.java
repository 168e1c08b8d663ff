package dev.robin.engine.scheduler;

import java.util.Map;

/**
 * Runs the model's forward pass for one step: writes the keys and values of every chunk's tokens into the
 * paged KV cache and returns, for each chunk that wants them, the logits of its last token.
 *
 * <p>Implementations own the device memory of the KV cache, sized by {@link #numBlocks()} blocks of
 * {@link #blockSize()} tokens; the scheduler owns which block belongs to whom.
 */
public interface ModelRunner extends AutoCloseable {

  /**
   * Computes one step.
   *
   * @return sequence id → logits of the chunk's last position (length = vocabulary size), only for
   *     chunks with {@link SequenceChunk#wantsLogits()}
   */
  Map<Long, float[]> execute(StepPlan plan);

  int blockSize();

  int numBlocks();

  int vocabSize();

  /**
   * Positions every query attends to at most, itself included, when every layer slides (Mistral): the blocks
   * wholly behind that window are never read again, so the KV cache manager releases them. 0 when some layer
   * sees the whole context.
   */
  default int attentionWindow() {
    return 0;
  }

  /** How the runner multiplies, for {@code /health}: e.g. its projections' kernel. */
  default String kernel() {
    return "unspecified";
  }

  @Override
  void close();
}
