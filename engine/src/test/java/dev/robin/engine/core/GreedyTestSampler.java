package dev.robin.engine.core;

import dev.robin.engine.sampling.SampledToken;
import dev.robin.engine.sampling.Sampler;
import java.util.ArrayList;
import java.util.List;

/** Argmax (lowest id on ties), remembering the tokens it was told were accepted. */
public final class GreedyTestSampler implements Sampler {

  final List<Integer> accepted = new ArrayList<>();

  @Override
  public SampledToken sample(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return SampledToken.of(best);
  }

  @Override
  public void accept(int tokenId) {
    accepted.add(tokenId);
  }
}
