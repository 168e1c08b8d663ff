package dev.robin.api.request;

import dev.robin.api.openai.ResponseKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The JSON of one response kind (chat or text completion), whole and as stream chunks. */
abstract class ResponseFormat {

  protected final GenerationJob job;

  ResponseFormat(GenerationJob job) {
    this.job = job;
  }

  static ResponseFormat of(GenerationJob job) {
    return job.kind() == ResponseKind.CHAT ? new ChatFormat(job) : new TextFormat(job);
  }

  /** Chunks sent before any token, for one choice. */
  abstract List<ObjectNode> openingChunks(ChoiceState choice);

  /** The chunks of a non-empty delta. */
  abstract List<ObjectNode> deltaChunks(ChoiceState choice, ChoiceState.Delta delta);

  abstract ObjectNode finishChunk(ChoiceState choice);

  /** The whole (non-streamed) response. */
  abstract ObjectNode whole(List<ChoiceState> choices, ObjectNode usage);

  /** The final chunk of {@code stream_options.include_usage}. */
  ObjectNode usageChunk(ObjectNode usage) {
    ObjectNode chunk = chunkHeader();
    chunk.putArray("choices");
    chunk.set("usage", usage);
    return chunk;
  }

  protected abstract String chunkObject();

  protected ObjectNode chunkHeader() {
    ObjectNode chunk = Json.MAPPER.createObjectNode();
    chunk.put("id", job.id());
    chunk.put("object", chunkObject());
    chunk.put("created", job.created());
    chunk.put("model", job.model().id());
    chunk.put("system_fingerprint", job.systemFingerprint());
    return chunk;
  }

  /** A chunk with one choice; {@code "usage":null} when the client asked for a usage chunk at the end. */
  protected ObjectNode chunkWith(ObjectNode choice) {
    ObjectNode chunk = chunkHeader();
    chunk.putArray("choices").add(choice);
    if (job.options().includeUsage()) {
      chunk.putNull("usage");
    }
    return chunk;
  }

  protected ObjectNode wholeHeader(String object) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("id", job.id());
    root.put("object", object);
    root.put("created", job.created());
    root.put("model", job.model().id());
    root.put("system_fingerprint", job.systemFingerprint());
    return root;
  }

  /** JSON has no NaN or infinities: NaN (not computed) becomes null, -inf the conventional -9999. */
  static JsonNode logprobValue(double lp) {
    if (Double.isNaN(lp)) {
      return NullNode.getInstance();
    }
    return Json.MAPPER.getNodeFactory().numberNode(Double.isInfinite(lp) ? -9999.0 : lp);
  }

  static ArrayNode utf8Bytes(String token) {
    ArrayNode bytes = Json.MAPPER.createArrayNode();
    for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
      bytes.add(b & 0xff);
    }
    return bytes;
  }
}
