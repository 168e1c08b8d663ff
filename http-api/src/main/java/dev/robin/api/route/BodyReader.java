package dev.robin.api.route;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.error.ApiError;
import dev.robin.api.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.coding.Coders;
import org.apache.pekko.http.scaladsl.coding.Decoder;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Reads a request body and parses it as JSON, turning every failure into an API error. In order: the body is
 * read up to the size limit (the rest of an oversized one is read and dropped, so the client sees the 413); its
 * {@code Content-Type} must say JSON (or nothing, or curl's default form type); a {@code gzip} or {@code deflate}
 * {@code Content-Encoding} is decoded with Pekko's coders, the decoded size under the same limit; the bytes must
 * be UTF-8 and the JSON must parse; no string may hold a lone UTF-16 surrogate ({@code "\ud800"}).
 */
public final class BodyReader {

  private BodyReader() {}

  static CompletionStage<JsonNode> readJson(HttpRequest request, long maxBytes, Materializer mat) {
    return readBytes(request, maxBytes, mat).thenApply(BodyReader::parse);
  }

  /**
   * The whole body, decoded, with every check above but the JSON ones: an {@link dev.robin.api.error.ApiException}
   * (413 past {@code maxBytes}, 415, 400) otherwise. The one way a route reads a body.
   */
  public static CompletionStage<ByteString> readBytes(HttpRequest request, long maxBytes, Materializer mat) {
    HttpEntity entity = request.entity();
    // Past the limit the rest is read and dropped rather than left unread: closing a connection with unread
    // bytes resets it, and the client would never see the 413. Pekko's max-content-length bounds the drain.
    return entity
        .getDataBytes()
        .runFold(new Body(maxBytes), Body::add, mat)
        .handle(
            (body, failure) -> {
              if (failure != null) {
                throw readFailure(failure, maxBytes);
              }
              if (body.tooLarge) {
                throw ApiError.requestTooLarge(maxBytes).toException();
              }
              checkContentType(entity.getContentType());
              return body.bytes.result();
            })
        .thenCompose(raw -> decode(raw, contentEncoding(request), maxBytes, mat));
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

  /**
   * What the OpenAI SDKs send ({@code application/json}, at most with {@code charset=utf-8}), any {@code +json}
   * type, no type at all, and {@code application/x-www-form-urlencoded}: what {@code curl -d} sends when the user
   * forgets {@code -H 'Content-Type: application/json'}. Refusing curl's default would fail the most common way
   * of trying an API for no safety gained (the body must still parse as a JSON object), so it is read as JSON;
   * everything else (text/plain, multipart/form-data, …) is a 415. JSON is UTF-8 (RFC 8259): another charset is a
   * 415 as well (Pekko itself reads application/json as UTF-8 whatever its charset parameter; the body's bytes are
   * then checked as UTF-8).
   */
  static void checkContentType(ContentType type) {
    // Pekko reports a body sent without Content-Type as application/octet-stream: it is accepted as no type.
    if (type.equals(ContentTypes.NO_CONTENT_TYPE) || type.equals(ContentTypes.APPLICATION_OCTET_STREAM)) {
      return;
    }
    String main = type.mediaType().mainType().toLowerCase(Locale.ROOT);
    String sub = type.mediaType().subType().toLowerCase(Locale.ROOT);
    boolean json = main.equals("application") && (sub.equals("json") || sub.endsWith("+json"));
    boolean curlDefault = main.equals("application") && sub.equals("x-www-form-urlencoded");
    if (!json && !curlDefault) {
      throw ApiError.unsupportedMediaType(
              "unsupported_media_type",
              "Content-Type " + main + "/" + sub + " is not supported: send the body as application/json.")
          .toException();
    }
    Optional<String> charset = type.getCharsetOption().map(c -> c.nioCharset().name());
    if (charset.isPresent()
        && !charset.get().equals(StandardCharsets.UTF_8.name())
        && !charset.get().equals(StandardCharsets.US_ASCII.name())) {
      throw ApiError.unsupportedMediaType(
              "unsupported_charset",
              "charset " + charset.get() + " is not supported: a JSON body is UTF-8.")
          .toException();
    }
  }

  /** The request's content codings, lower-cased, in the order they were applied; empty for none. */
  static String contentEncoding(HttpRequest request) {
    StringBuilder codings = new StringBuilder();
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("content-encoding")) {
        codings.append(codings.length() > 0 ? "," : "").append(h.value());
      }
    }
    return codings.toString().replace(" ", "").toLowerCase(Locale.ROOT);
  }

  private static final Map<String, Decoder> DECODERS =
      Map.of("gzip", Coders.Gzip(), "x-gzip", Coders.Gzip(), "deflate", Coders.Deflate());

  /**
   * Decodes a gzip or deflate body with Pekko's coders; the decoded stream stops as soon as it passes
   * {@code maxBytes} (a small compressed body may inflate to gigabytes), which is a 413 like an oversized
   * plain body. Other codings, or several stacked, are a 415.
   */
  static CompletionStage<ByteString> decode(ByteString raw, String encoding, long maxBytes, Materializer mat) {
    if (encoding.isEmpty() || encoding.equals("identity")) {
      return CompletableFuture.completedFuture(raw);
    }
    Decoder decoder = DECODERS.get(encoding);
    if (decoder == null) {
      throw ApiError.unsupportedMediaType(
              "unsupported_content_encoding",
              "Content-Encoding " + encoding + " is not supported: send the body uncompressed, gzip or deflate.")
          .toException();
    }
    org.apache.pekko.stream.javadsl.Flow<ByteString, ByteString, org.apache.pekko.NotUsed> decoding =
        decoder.decoderFlow().asJava();
    return Source.single(raw)
        .via(decoding)
        .limitWeighted(maxBytes, chunk -> (long) chunk.size())
        .runWith(Sink.<ByteString, ByteString>fold(ByteString.emptyByteString(), (a, b) -> a.concat(b)), mat)
        .handle(
            (decoded, failure) -> {
              if (failure == null) {
                return decoded;
              }
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause() : failure;
              if (cause instanceof StreamLimitReachedException) {
                throw new ApiError(413, ApiError.INVALID_REQUEST, "request_too_large", null,
                    "The decompressed request body exceeds the limit of " + maxBytes + " bytes.", null)
                    .toException();
              }
              throw ApiError.badRequest("invalid_compressed_body", null,
                  "The request body is not valid " + encoding + " data (its Content-Encoding).").toException();
            });
  }

  static JsonNode parse(ByteString body) {
    return parse(body.toArray());
  }

  /** The body as JSON: UTF-8, parsable, no lone surrogates; an {@link dev.robin.api.error.ApiException} 400 otherwise. */
  public static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiError.malformedJson("the body is empty").toException();
    }
    checkUtf8(body);
    JsonNode root;
    try {
      root = Json.parse(body);
    } catch (IOException e) {
      throw ApiError.malformedJson(firstLine(e.getMessage())).toException();
    }
    checkSurrogates(root, new java.util.ArrayDeque<>());
    return root;
  }

  /**
   * Jackson lets some invalid UTF-8 through (an encoded surrogate, an overlong form) and the rest fails with a
   * message about the parser; the JDK's strict decoder names the byte.
   */
  private static void checkUtf8(byte[] body) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      utf8.decode(in);
    } catch (CharacterCodingException e) {
      String where = e instanceof MalformedInputException ? " at byte " + in.position() : "";
      throw ApiError.badRequest("invalid_utf8", null,
          "The request body is not valid UTF-8" + where + ". Send JSON encoded as UTF-8.").toException();
    }
  }

  /**
   * A JSON escape may spell half of a UTF-16 surrogate pair ({@code "\ud800"}): valid JSON syntax, but no
   * character, and the tokenizer could not encode it. Refused with the field's path.
   */
  private static void checkSurrogates(JsonNode node, java.util.Deque<Object> path) {
    // The path is kept as its segments and spelled out only for the error: a deep body with long keys would
    // otherwise hold a string per level, each as long as all the keys above it.
    if (node.isTextual()) {
      if (hasLoneSurrogate(node.textValue())) {
        String where = spelled(path);
        throw ApiError.badRequest("invalid_unicode", where,
            "The string " + (where == null ? "" : "at " + where + " ")
                + "contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is no character.")
            .toException();
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        path.addLast(i);
        checkSurrogates(node.get(i), path);
        path.removeLast();
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (hasLoneSurrogate(field.getKey())) {
          throw ApiError.badRequest("invalid_unicode", spelled(path),
              "A field name contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff).").toException();
        }
        path.addLast(field.getKey());
        checkSurrogates(field.getValue(), path);
        path.removeLast();
      }
    }
  }

  /** {@code messages[0].content} from its segments; null for the body itself. */
  private static String spelled(java.util.Deque<Object> path) {
    if (path.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (Object segment : path) {
      if (segment instanceof Integer) {
        sb.append('[').append(segment).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(segment);
      }
    }
    return sb.toString();
  }

  /** Whether {@code s} holds half of a UTF-16 surrogate pair: no character, and no tokenizer can encode it. */
  public static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** A failure while reading the body: too large (413), broken framing such as a bad chunk size (400). */
  private static RuntimeException readFailure(Throwable failure, long maxBytes) {
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (c instanceof EntityStreamSizeException) {
        return ApiError.requestTooLarge(maxBytes).toException();
      }
      if (c instanceof EntityStreamException) {
        // Broken framing (a bad chunk size): ErrorHandling answers it as 400 invalid_body.
        return new CompletionException(c);
      }
    }
    return failure instanceof CompletionException ce ? ce : new CompletionException(failure);
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
