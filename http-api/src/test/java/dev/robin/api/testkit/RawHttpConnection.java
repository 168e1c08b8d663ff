package dev.robin.api.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a raw socket, for tests that must control the connection itself: leave mid-response
 * with a FIN ({@link #close()}) or a reset ({@link #reset()}), half-close, pipeline requests, or keep one
 * connection for several requests. Reads bytes, so {@code Content-Length} and chunked bodies are exact.
 */
public final class RawHttpConnection implements AutoCloseable {

  /** A response's status line and headers (names lower-cased). */
  public record Head(String statusLine, int status, Map<String, String> headers) {
    public boolean isChunked() {
      return "chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""));
    }
  }

  private final Socket socket;
  private final String host;
  private final OutputStream out;
  private final InputStream in;

  private RawHttpConnection(Socket socket, String host) throws IOException {
    this.socket = socket;
    this.host = host;
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream());
  }

  /** Connects with a read timeout of {@code readTimeoutMillis} (0: none). */
  public static RawHttpConnection open(String host, int port, int readTimeoutMillis) throws IOException {
    Socket socket = new Socket(host, port);
    socket.setSoTimeout(readTimeoutMillis);
    return new RawHttpConnection(socket, host);
  }

  public Socket socket() {
    return socket;
  }

  /** Writes a JSON POST; {@code bearerKey} may be null (no Authorization header). Does not read. */
  public void post(String path, String bearerKey, byte[] json) throws IOException {
    out.write(postBytes(path, bearerKey, json));
    out.flush();
  }

  public void post(String path, String bearerKey, String json) throws IOException {
    post(path, bearerKey, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The bytes of a JSON POST, so a test can write several at once (pipelining); {@code extraHeaders} are whole
   * header lines without CRLF (e.g. {@code "Connection: close"}).
   */
  public byte[] postBytes(String path, String bearerKey, byte[] json, String... extraHeaders) {
    return postBytes("HTTP/1.1", path, bearerKey, json, extraHeaders);
  }

  /** {@link #postBytes(String, String, byte[], String...)} with another protocol, e.g. {@code HTTP/1.0}. */
  public byte[] postBytes(String protocol, String path, String bearerKey, byte[] json, String... extraHeaders) {
    StringBuilder head = new StringBuilder("POST " + path + " " + protocol + "\r\nHost: " + host
        + "\r\nContent-Type: application/json\r\n");
    if (bearerKey != null) {
      head.append("Authorization: Bearer ").append(bearerKey).append("\r\n");
    }
    for (String h : extraHeaders) {
      head.append(h).append("\r\n");
    }
    head.append("Content-Length: ").append(json.length).append("\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[headBytes.length + json.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(json, 0, all, headBytes.length, json.length);
    return all;
  }

  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One line without its CRLF (or LF); null at the end of the stream. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  /** The status line and headers; null if the connection ended before a status line. */
  public Head readHead() throws IOException {
    String statusLine = readLine();
    if (statusLine == null) {
      return null;
    }
    String[] parts = statusLine.split(" ", 3);
    int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
    }
    return new Head(statusLine, status, headers);
  }

  /** The whole body of a response whose head was just read (Content-Length or chunked). */
  public String readBody(Head head) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head.isChunked()) {
      for (int size = chunkSize(); size > 0; size = chunkSize()) {
        body.write(readExactly(size));
        readLine(); // the CRLF after the chunk
      }
      for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
        // trailers, if any
      }
    } else {
      body.write(readExactly(Integer.parseInt(head.headers().getOrDefault("content-length", "0"))));
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  /**
   * The payload of the next SSE {@code data:} line of a streamed body (the chunk framing, which may share its line,
   * is skipped), e.g. {@code {"id":…}} or {@code [DONE]}; null at the end of the stream.
   */
  public String nextSseData() throws IOException {
    for (String line = readLine(); line != null; line = readLine()) {
      int data = line.indexOf("data: ");
      if (data >= 0) {
        return line.substring(data + "data: ".length());
      }
    }
    return null;
  }

  /** Reads until {@code n} JSON data events arrived (or the stream ended); returns how many did. */
  public int skipSseEvents(int n) throws IOException {
    int seen = 0;
    while (seen < n) {
      String data = nextSseData();
      if (data == null) {
        break;
      }
      if (data.startsWith("{")) {
        seen++;
      }
    }
    return seen;
  }

  /**
   * Whether the server closed the connection after what was read so far: the next read meets its end (a FIN)
   * within the read timeout. False if a byte arrives or the timeout passes with the connection still open.
   */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }

  /** Ends our side of the connection: no more requests, responses still readable. */
  public void halfClose() throws IOException {
    socket.shutdownOutput();
  }

  /** Leaves with a reset (RST) instead of a FIN. */
  public void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** Leaves with a FIN (as long as no unread bytes are pending; otherwise the OS sends a reset). */
  @Override
  public void close() throws IOException {
    socket.close();
  }

  private int chunkSize() throws IOException {
    String line = readLine();
    if (line == null) {
      throw new IOException("connection ended inside a chunked body");
    }
    int semicolon = line.indexOf(';');
    return Integer.parseInt((semicolon >= 0 ? line.substring(0, semicolon) : line).trim(), 16);
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    if (bytes.length < n) {
      throw new IOException("connection ended after " + bytes.length + " of " + n + " body bytes");
    }
    return bytes;
  }
}
