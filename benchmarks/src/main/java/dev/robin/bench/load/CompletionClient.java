package dev.robin.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends streamed {@code POST /v1/completions} requests over HTTP/1.1 and measures each with a
 * {@link StreamReader}. One instance is shared by every worker; {@link HttpClient} pools connections.
 */
public final class CompletionClient {

  private final HttpClient http;
  private final URI completionsUri;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final StreamReader reader = new StreamReader(System::nanoTime);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-stream-watchdog");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param apiBase the API's base, e.g. {@code http://127.0.0.1:8080/v1}
   * @param headers added to every request (e.g. {@code Authorization})
   * @param timeout limit on the whole request, stream included
   */
  public CompletionClient(HttpClient http, URI apiBase, Map<String, String> headers, Duration timeout) {
    this.http = http;
    this.completionsUri = ApiBase.resolve(apiBase, "completions");
    this.headers = Map.copyOf(headers);
    this.timeout = timeout;
  }

  /** A client suitable for benchmarks: HTTP/1.1, one connection per concurrent request. */
  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** Sends one request and reads its stream to the end; never throws for a server or network failure. */
  public RequestResult send(String jsonBody) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(completionsUri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    HttpRequest request = b.build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      return RequestResult.failed(start, System.nanoTime(), "request failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return RequestResult.failed(start, System.nanoTime(), "interrupted");
    }
    // HttpRequest.timeout covers only the wait for headers: a stalled stream is cut by closing it.
    InputStream in = response.body();
    long remainingNanos = timeout.toNanos() - (System.nanoTime() - start);
    AtomicBoolean cut = new AtomicBoolean();
    ScheduledFuture<?> watchdog =
        WATCHDOG.schedule(
            () -> {
              cut.set(true);
              closeQuietly(in);
            },
            Math.max(0, remainingNanos),
            TimeUnit.NANOSECONDS);
    try (in;
        BufferedReader body = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      if (response.statusCode() != 200) {
        String text = readSome(body);
        return RequestResult.failed(
            start, System.nanoTime(), "HTTP " + response.statusCode() + ": " + StreamChunk.abbreviate(text));
      }
      RequestResult result = reader.read(body, start);
      watchdog.cancel(false);
      return cut.get() && !result.succeeded() ? timedOut(result) : result;
    } catch (IOException e) {
      return RequestResult.failed(start, System.nanoTime(), "reading the response failed: " + e);
    } finally {
      watchdog.cancel(false);
    }
  }

  private RequestResult timedOut(RequestResult r) {
    return new RequestResult(
        r.startNanos(), r.firstContentNanos(), r.endNanos(), r.interTokenNanos(), r.numContentChunks(),
        r.usageCompletionTokens(), r.usagePromptTokens(), r.usageCachedPromptTokens(), r.finishReason(),
        "timed out after " + timeout.toSeconds() + " s (" + r.numContentChunks() + " chunks received)");
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // The reader sees the stream end; the timeout is reported from there.
    }
  }

  private static String readSome(BufferedReader body) throws IOException {
    char[] buf = new char[512];
    int n = body.read(buf);
    return n <= 0 ? "" : new String(buf, 0, n);
  }
}
