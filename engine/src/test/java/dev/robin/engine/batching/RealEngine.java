package dev.robin.engine.batching;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.robin.engine.checkpoint.Checkpoint;
import dev.robin.engine.core.EngineCore;
import dev.robin.engine.model.LlamaRunner;
import dev.robin.engine.sampling.LogitBias;
import dev.robin.engine.sampling.Samplers;
import dev.robin.engine.sampling.SamplingParams;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.scheduler.SchedulerConfig;
import dev.robin.engine.testkit.TestModels;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Test support: engines over the real DJL {@link LlamaRunner} serving the shared stories260k model, and random
 * requests of every shape.
 */
final class RealEngine {

  static final int BLOCK_SIZE = 16;
  static final int EOS = 2;
  static final int VOCAB = 512;

  private RealEngine() {}

  /** The real runner on stories260k, float32, CPU, with {@code numBlocks} KV blocks of 16 tokens. */
  static LlamaRunner runner(int numBlocks) {
    Checkpoint checkpoint = Checkpoint.open(TestModels.stories260k());
    return LlamaRunner.create(
        checkpoint, checkpoint.config(), Device.cpu(), DataType.FLOAT32, numBlocks, BLOCK_SIZE);
  }

  /** An engine with the real sampler, a step budget of {@code budget} tokens and 16 sequences at most. */
  static EngineCore engine(ModelRunner runner, int budget) {
    SchedulerConfig config =
        SchedulerConfig.defaults(512, Set.of(EOS))
            .withMaxNumBatchedTokens(budget)
            .withMaxNumSeqs(16)
            .withMaxNumWaiting(100_000);
    return new EngineCore(config, runner, params -> Samplers.create(params, runner.vocabSize()));
  }

  static int[] randomPrompt(Random random, int length) {
    return IntStream.range(0, length).map(i -> random.nextInt(VOCAB)).toArray();
  }

  /**
   * Random sampling parameters over the whole valid range: greedy or a temperature up to 1.5, top-p,
   * top-k, seeded or not, presence and frequency penalties, logprobs or none.
   */
  static SamplingParams randomSampling(Random random) {
    double temperature = random.nextInt(4) == 0 ? 0.0 : 0.1 + 1.4 * random.nextDouble();
    double topP = random.nextBoolean() ? 1.0 : 0.5 + 0.5 * random.nextDouble();
    int topK = random.nextBoolean() ? 0 : 1 + random.nextInt(50);
    Long seed = random.nextBoolean() ? random.nextLong() : null;
    double presence = random.nextBoolean() ? 0.0 : -2.0 + 4.0 * random.nextDouble();
    double frequency = random.nextBoolean() ? 0.0 : -2.0 + 4.0 * random.nextDouble();
    int topLogprobs = random.nextBoolean() ? -1 : random.nextInt(6);
    return new SamplingParams(temperature, topP, topK, seed, presence, frequency, topLogprobs, LogitBias.NONE);
  }
}
