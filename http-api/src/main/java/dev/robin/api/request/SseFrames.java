package dev.robin.api.request;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.util.ByteString;

/** Server-sent event framing: {@code data: <json>\n\n}, the {@code [DONE]} sentinel and keep-alive comments. */
public final class SseFrames {

  public static final ContentType CONTENT_TYPE = MediaTypes.TEXT_EVENT_STREAM.toContentType();
  public static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");
  public static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private SseFrames() {}

  public static ByteString data(JsonNode json) {
    return ByteString.fromString("data: " + Json.string(json) + "\n\n");
  }
}
