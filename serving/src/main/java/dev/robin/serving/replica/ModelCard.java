package dev.robin.serving.replica;

import dev.robin.engine.load.LoadedModel;
import dev.robin.engine.load.ModelText;
import java.util.Map;

/**
 * What a node needs to take requests for a model whose weights it does not hold: the model's text files
 * (tokenizer and chat template, {@link ModelText#FILES}) and its context length. A replica answers
 * {@code Describe} with it; it crosses nodes on Artery's large-message channel (see reference.conf).
 *
 * @param modelId the served model's id
 * @param maxModelLen longest prompt + completion its replicas accept
 * @param textFiles file name to content; empty when the replica was started without a model directory
 */
public record ModelCard(String modelId, int maxModelLen, Map<String, byte[]> textFiles) implements ReplicaMessage {

  public ModelCard {
    textFiles = Map.copyOf(textFiles);
  }

  /** The card of a model this node loaded (reads its text files). */
  public static ModelCard of(LoadedModel model) {
    return new ModelCard(model.id(), model.maxModelLen(), ModelText.readFiles(model.directory()));
  }

  /** The card of a replica with no model directory behind it (test engines): others cannot serve from it. */
  public static ModelCard withoutText(String modelId, int maxModelLen) {
    return new ModelCard(modelId, maxModelLen, Map.of());
  }

  public boolean hasText() {
    return textFiles.containsKey(ModelText.FILES.get(0));
  }

  public long sizeBytes() {
    return textFiles.values().stream().mapToLong(b -> b.length).sum();
  }
}
