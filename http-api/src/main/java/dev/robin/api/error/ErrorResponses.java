package dev.robin.api.error;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.robin.api.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Renders {@link ApiError}s as HTTP responses and as SSE error payloads. */
public final class ErrorResponses {

  private ErrorResponses() {}

  /** {@code {"error":{"message","type","param","code"}}}. */
  public static ObjectNode envelope(ApiError error) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode body = root.putObject("error");
    body.put("message", error.message());
    body.put("type", error.type());
    body.put("param", error.param());
    body.put("code", error.code());
    return root;
  }

  public static HttpResponse response(ApiError error) {
    List<HttpHeader> headers = new ArrayList<>();
    if (error.retryAfter() != null) {
      long seconds = Math.max(1, (error.retryAfter().toMillis() + 999) / 1000);
      headers.add(RawHeader.create("Retry-After", Long.toString(seconds)));
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.get(error.status()))
        .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(envelope(error)))
        .addHeaders(headers);
  }
}
