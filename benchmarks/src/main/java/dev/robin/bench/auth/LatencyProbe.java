package dev.robin.bench.auth;

import dev.robin.bench.stats.LatencyHistogram;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends the same small request back to back and records each latency (send → whole body) of the 2xx
 * answers; other statuses (a 429 means the limits were too low for the run) are counted, not timed.
 */
public final class LatencyProbe {

  private final HttpClient http;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private final Map<String, Integer> statuses = new TreeMap<>();
  private int numFailed;
  private String firstFailure;

  public LatencyProbe(HttpClient http) {
    this.http = http;
  }

  /** Sends {@code request} {@code n} times; with {@code record} false only warms up. */
  public void run(HttpRequest request, int n, boolean record) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      String outcome;
      boolean ok;
      String body = "";
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - t0;
        ok = r.statusCode() / 100 == 2;
        outcome = Integer.toString(r.statusCode());
        body = r.body();
        if (ok && record) {
          latencies.recordNanos(nanos);
        }
      } catch (IOException e) {
        ok = false;
        outcome = e.getClass().getSimpleName();
        body = String.valueOf(e.getMessage());
      }
      if (record) {
        statuses.merge(outcome, 1, Integer::sum);
        if (!ok) {
          numFailed++;
          if (firstFailure == null) {
            firstFailure = outcome + ": " + (body.length() > 300 ? body.substring(0, 300) : body);
          }
        }
      }
    }
  }

  public LatencyHistogram latencies() {
    return latencies;
  }

  public Map<String, Integer> statuses() {
    return Map.copyOf(statuses);
  }

  public int numFailed() {
    return numFailed;
  }

  public String firstFailure() {
    return firstFailure;
  }
}
