package dev.robin.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/** Reads a request body up to a size limit and parses it as JSON, turning every failure into an API error. */
final class BodyReader {

  private BodyReader() {}

  static CompletionStage<JsonNode> readJson(HttpEntity entity, long maxBytes, Materializer mat) {
    return entity
        .withSizeLimit(maxBytes)
        .getDataBytes()
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .handle(
            (bytes, failure) -> {
              if (failure != null) {
                if (causedBySize(failure)) {
                  throw ApiError.requestTooLarge(maxBytes).toException();
                }
                throw new CompletionException(failure);
              }
              return parse(bytes.toArray());
            });
  }

  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiError.malformedJson("the body is empty").toException();
    }
    try {
      return Json.parse(body);
    } catch (IOException e) {
      throw ApiError.malformedJson(firstLine(e.getMessage())).toException();
    }
  }

  private static boolean causedBySize(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof EntityStreamSizeException) {
        return true;
      }
    }
    return false;
  }

  /** Jackson's message without its source excerpt (which would echo the client's body back). */
  private static String firstLine(String message) {
    if (message == null) {
      return "invalid JSON";
    }
    int cut = message.indexOf('\n');
    String line = cut < 0 ? message : message.substring(0, cut);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
