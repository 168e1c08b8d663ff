package dev.robin.app.cluster;

import static dev.robin.engine.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.api.json.Json;
import dev.robin.app.cli.RobinCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Robin node in a child JVM ({@code robin serve} from this test run's own classpath, as {@code bin/robin}
 * runs it) on loopback, with its own HTTP and cluster ports and data directory. {@link #kill()} is
 * {@code kill -9}; {@link #close()} stops it and removes its data.
 */
final class RobinProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int httpPort;
  final int clusterPort;
  private final Path dataDir;
  private final Path log;
  private Process process;

  private RobinProcess(String name, int httpPort, int clusterPort, Path dataDir, Path log) {
    this.name = name;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.dataDir = dataDir;
    this.log = log;
  }

  /** A node to be started on fresh ports. */
  static RobinProcess create(String name) {
    try {
      return new RobinProcess(name, freePort(), freePort(), Files.createTempDirectory("robin-" + name + "-"),
          Files.createTempFile("robin-" + name + "-", ".log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String seedAddress() {
    return "pekko://robin@127.0.0.1:" + clusterPort;
  }

  /** Starts {@code robin serve} joining {@code seed} with the given serve arguments (e.g. {@code --model …}). */
  void start(String seed, List<String> serveArgs) {
    start(seed, serveArgs, java.util.Map.of());
  }

  /** As above, with extra environment variables (e.g. {@code ROBIN_REPLICAS}). */
  void start(String seed, List<String> serveArgs, java.util.Map<String, String> environment) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED",
        "-Xmx1g", "-Dai.djl.pytorch.num_threads=1", "-Doffline=true",
        "-Dpekko.actor.serialize-messages=on",
        "-cp", System.getProperty("java.class.path"),
        RobinCli.class.getName(), "serve",
        "--host", "127.0.0.1", "--port", Integer.toString(httpPort), "--data-dir", dataDir.toString(),
        "--seed-node", seed));
    cmd.addAll(serveArgs);
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a restart appends
    builder.environment().put("ROBIN_CLUSTER_HOST", "127.0.0.1");
    builder.environment().put("ROBIN_CLUSTER_PORT", Integer.toString(clusterPort));
    builder.environment().put("OPT_OUT_TRACKING", "true");
    builder.environment().putAll(environment);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code model} is ready here and the node sees {@code members} cluster members up. */
  void awaitReady(String model, int members, Duration timeout) {
    eventually(timeout, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      JsonNode health;
      try {
        health = health();
      } catch (IOException e) {
        throw new AssertionError(name + " does not answer yet: " + e);
      }
      assertEquals("ready", modelNode(health, model).path("status").asText(), health.toString());
      assertEquals(members, upMembers(health), health.toString());
    });
  }

  /** Waits until this node answers and sees {@code members} cluster members up (for a node hosting no model). */
  void awaitMembers(int members, Duration timeout) {
    eventually(timeout, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        assertEquals(members, upMembers(health()));
      } catch (IOException e) {
        throw new AssertionError(name + " does not answer yet: " + e);
      }
    });
  }

  JsonNode health() throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(url("/v1/health"))).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(r.body());
  }

  static JsonNode modelNode(JsonNode health, String model) {
    for (JsonNode m : health.path("models")) {
      if (m.path("id").asText().equals(model)) {
        return m;
      }
    }
    return Json.MAPPER.createObjectNode();
  }

  static int upMembers(JsonNode health) {
    int n = 0;
    for (JsonNode member : health.path("cluster").path("members")) {
      n += member.path("status").asText().equalsIgnoreCase("up") ? 1 : 0;
    }
    return n;
  }

  /** The replicas of {@code model} this node's router sends requests to, across the cluster. */
  int clusterReplicas(String model) throws IOException, InterruptedException {
    int routed = 0;
    for (JsonNode replica : modelNode(health(), model).path("cluster_replicas")) {
      routed += replica.path("routed").asBoolean() ? 1 : 0;
    }
    return routed;
  }

  /** Requests the replica(s) on this node have admitted since it started. */
  long localRequests(String model) throws IOException, InterruptedException {
    return modelNode(health(), model).path("requests_total").asLong();
  }

  HttpResponse<String> complete(String model, String prompt, int maxTokens) throws IOException, InterruptedException {
    return complete(model, prompt, maxTokens, Duration.ofSeconds(30));
  }

  HttpResponse<String> complete(String model, String prompt, int maxTokens, Duration timeout)
      throws IOException, InterruptedException {
    return HTTP.send(completion(model, prompt, maxTokens, false).timeout(timeout).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A whole greedy completion with {@code apiKey}. */
  HttpResponse<String> complete(String model, String prompt, int maxTokens, String apiKey)
      throws IOException, InterruptedException {
    return HTTP.send(completion(model, prompt, maxTokens, false).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + apiKey).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The data events of a streamed greedy completion, up to (not including) [DONE]; fails on a non-200. */
  List<JsonNode> streamEvents(String model, String prompt, int maxTokens) throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(
        completion(model, prompt, maxTokens, true).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofLines());
    List<JsonNode> events = new ArrayList<>();
    try (var lines = r.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
          events.add(Json.MAPPER.readTree(line.substring(6)));
        }
      }
    }
    assertEquals(200, r.statusCode(), events.toString());
    return events;
  }

  /**
   * How a stream ended.
   *
   * @param completed a finish_reason and [DONE] arrived, and no error
   * @param retryableError it ended with an error the client may retry (server_overloaded): an SSE error event
   *     mid-stream, or, before the stream started, a 503 with Retry-After
   * @param endedNanos System.nanoTime() when its last line arrived
   */
  record TimedStream(boolean completed, boolean retryableError, long endedNanos, int status, String lastEvent) {}

  /** A streamed completion ignoring EOS, read to its end. */
  TimedStream timedStream(String model, String prompt, int maxTokens) throws IOException, InterruptedException {
    String body = "{\"model\":\"" + model + "\",\"prompt\":" + Json.MAPPER.writeValueAsString(prompt)
        + ",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":true}";
    HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(url("/v1/completions"))).timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofLines());
    boolean finished = false;
    boolean done = false;
    String error = null;
    String last = "";
    if (r.statusCode() != 200) {
      String answer;
      try (var lines = r.body()) {
        answer = String.join("\n", (Iterable<String>) lines::iterator);
      }
      boolean retryable = r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
          && "server_overloaded".equals(Json.MAPPER.readTree(answer).at("/error/code").asText());
      return new TimedStream(false, retryable, System.nanoTime(), r.statusCode(), answer);
    }
    try (var lines = r.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.equals("data: [DONE]")) {
          done = true;
        } else if (line.startsWith("data: ")) {
          last = line;
          JsonNode event = Json.MAPPER.readTree(line.substring(6));
          if (event.has("error")) {
            error = event.at("/error/code").asText();
          } else if (!event.at("/choices/0/finish_reason").isMissingNode()
              && !event.at("/choices/0/finish_reason").isNull()) {
            finished = true;
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      last = "connection failed: " + e;
    }
    return new TimedStream(finished && done && error == null, done && "server_overloaded".equals(error),
        System.nanoTime(), r.statusCode(), last);
  }

  /** Creates an API key (key creation is open in the test configuration) and returns its secret. */
  String createKey(String keyName) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(url("/api/v1/keys"))).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + keyName + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body()).path("key").asText();
  }

  private HttpRequest.Builder completion(String model, String prompt, int maxTokens, boolean stream)
      throws IOException {
    String body = "{\"model\":\"" + model + "\",\"prompt\":" + Json.MAPPER.writeValueAsString(prompt)
        + ",\"max_tokens\":" + maxTokens + ",\"temperature\":0" + (stream ? ",\"stream\":true" : "") + "}";
    return HttpRequest.newBuilder(URI.create(url("/v1/completions")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  String url(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  /** {@code kill -9}: no shutdown hook, no leaving the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  String logTail() {
    return logTail(40);
  }

  /** The last {@code n} lines of the node's log (all its incarnations). */
  String logTail(int n) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Files.deleteIfExists(log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
