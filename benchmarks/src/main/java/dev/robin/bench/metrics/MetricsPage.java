package dev.robin.bench.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A server's {@code GET /metrics} (Prometheus text) read for one model: each sample keyed by its name followed by
 * the values of its other labels in the order printed, each after a {@code |} — {@code name}, {@code name|decode}
 * (a {@code kind}), {@code name_bucket|decode|0.05} (a kind and an {@code le}). Series without a {@code model}
 * label are kept; those of other models are not.
 */
public final class MetricsPage {

  private MetricsPage() {}

  /** The samples of {@code model} in a Prometheus text page. */
  public static Map<String, Double> parse(String prometheusText, String model) {
    Map<String, Double> values = new HashMap<>();
    for (String line : prometheusText.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      boolean hasLabels = brace >= 0 && brace < space;
      String name = line.substring(0, hasLabels ? brace : space);
      StringBuilder key = new StringBuilder(name);
      if (hasLabels) {
        String labels = line.substring(brace + 1, line.lastIndexOf('}', space));
        boolean otherModel = false;
        for (String label : labels.split(",")) {
          int eq = label.indexOf('=');
          if (eq < 0) {
            continue;
          }
          String value = label.substring(eq + 1).replace("\"", "");
          if (label.substring(0, eq).equals("model")) {
            otherModel = !value.equals(model);
          } else {
            key.append('|').append(value);
          }
        }
        if (otherModel) {
          continue;
        }
      }
      try {
        values.put(key.toString(), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return values;
  }

  /** {@code GET <base>/metrics} of a server, parsed for {@code model}; empty when it does not answer. */
  public static Map<String, Double> read(HttpClient http, URI baseUrl, String model) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? parse(r.body(), model) : Map.of();
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** {@code after − before} of one key (0 where missing). */
  public static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
    return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
  }
}
