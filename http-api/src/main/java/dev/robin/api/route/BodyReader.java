package dev.robin.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** Reads a request body up to a size limit and parses it as JSON, turning every failure into an API error. */
public final class BodyReader {

  private BodyReader() {}

  static CompletionStage<JsonNode> readJson(HttpEntity entity, long maxBytes, Materializer mat) {
    return readBytes(entity, maxBytes, mat).thenApply(BodyReader::parse);
  }

  /**
   * The whole body, or an {@link dev.robin.api.error.ApiException} 413 once it passes {@code maxBytes} (whether
   * its declared length or its bytes do): the one way a route reads a body.
   */
  public static CompletionStage<byte[]> readBytes(HttpEntity entity, long maxBytes, Materializer mat) {
    // Past the limit the rest is read and dropped rather than left unread: closing a connection with unread
    // bytes resets it, and the client would never see the 413. Pekko's max-content-length bounds the drain.
    return entity
        .getDataBytes()
        .runFold(new Body(maxBytes), Body::add, mat)
        .handle(
            (body, failure) -> {
              if (failure != null) {
                if (causedBySize(failure)) {
                  throw ApiError.requestTooLarge(maxBytes).toException();
                }
                throw new CompletionException(failure);
              }
              if (body.tooLarge) {
                throw ApiError.requestTooLarge(maxBytes).toException();
              }
              return body.bytes.result().toArray();
            });
  }

  /** The bytes read so far, until the limit is passed. */
  private static final class Body {
    final long maxBytes;
    final ByteStringBuilder bytes = new ByteStringBuilder();
    long size;
    boolean tooLarge;

    Body(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    Body add(ByteString chunk) {
      size += chunk.size();
      if (size > maxBytes) {
        tooLarge = true;
      } else {
        bytes.append(chunk);
      }
      return this;
    }
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
      // A declared Content-Length over the limit fails the stream with EntityStreamException instead.
      if (c instanceof EntityStreamSizeException
          || (c instanceof EntityStreamException e && e.getMessage().contains("too large"))) {
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
