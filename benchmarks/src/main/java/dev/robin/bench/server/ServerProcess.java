package dev.robin.bench.server;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Robin server started by the benchmark as a child process ({@code bin/robin serve}), ready once
 * {@code GET /v1/health} answers 200, stopped (SIGTERM, then SIGKILL) on {@link #close()} or JVM exit.
 * It gets a temporary {@code --data-dir} of its own, removed when it stops, so that keys the benchmark
 * creates never land in the user's store.
 */
public final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final URI baseUrl;
  private final Path log;
  private final Path dataDir;
  private final Thread shutdownHook;

  private ServerProcess(Process process, URI baseUrl, Path log, Path dataDir) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.log = log;
    this.dataDir = dataDir;
    this.shutdownHook = new Thread(this::stop, "bench-server-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts {@code <robinHome>/bin/robin serve --port <free port> --data-dir <temp> <serveArgs…>} and waits
   * until it is healthy.
   *
   * @param serveArgs arguments after {@code serve --port N}, e.g. {@code --model bench=synthetic:llama-75m}
   * @throws IllegalStateException when it exits or is not healthy within {@code startupTimeout}; the
   *     message carries the end of its log
   */
  public static ServerProcess start(Path robinHome, List<String> serveArgs, Duration startupTimeout)
      throws InterruptedException {
    return start(robinHome, serveArgs, List.of(), startupTimeout);
  }

  /**
   * As {@link #start(Path, List, Duration)}, with {@code jvmOptions} appended to the server JVM's
   * {@code ROBIN_JAVA_OPTS} (e.g. {@code -Dai.djl.pytorch.num_threads=1}).
   */
  public static ServerProcess start(
      Path robinHome, List<String> serveArgs, List<String> jvmOptions, Duration startupTimeout)
      throws InterruptedException {
    Path launcher = robinHome.resolve("bin/robin");
    if (!Files.isExecutable(launcher)) {
      throw new IllegalStateException("cannot start a server: " + launcher + " is missing or not executable");
    }
    int port = freePort();
    Path log;
    Path dataDir;
    List<String> cmd;
    Process process;
    try {
      log = Files.createTempFile("robin-bench-server-" + port + "-", ".log");
      dataDir = Files.createTempDirectory("robin-bench-data-");
      cmd = new ArrayList<>(List.of(
          launcher.toString(), "serve", "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
      cmd.addAll(serveArgs);
      ProcessBuilder builder =
          new ProcessBuilder(cmd).directory(robinHome.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      if (!jvmOptions.isEmpty()) {
        String inherited = builder.environment().getOrDefault("ROBIN_JAVA_OPTS", "");
        builder.environment().put("ROBIN_JAVA_OPTS", (inherited + " " + String.join(" ", jvmOptions)).strip());
      }
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start bin/robin serve: " + e.getMessage(), e);
    }
    ServerProcess server = new ServerProcess(process, URI.create("http://127.0.0.1:" + port), log, dataDir);
    String env = jvmOptions.isEmpty() ? "" : "ROBIN_JAVA_OPTS+=\"" + String.join(" ", jvmOptions) + "\" ";
    System.err.println("bench: started " + env + String.join(" ", cmd) + " (pid " + process.pid() + ", log " + log + ")");
    try {
      server.awaitHealthy(startupTimeout);
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** {@code http://127.0.0.1:<port>}, without the API path. */
  public URI baseUrl() {
    return baseUrl;
  }

  public Path log() {
    return log;
  }

  private void awaitHealthy(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(baseUrl.resolve("/v1/health")).timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    int lastStatus = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the server exited with status " + process.exitValue() + " before it was ready:\n" + logTail());
      }
      try {
        lastStatus = http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (lastStatus == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // Still starting: keep polling.
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "the server was not healthy after " + timeout.toSeconds() + " s (last /v1/health status "
            + lastStatus + "):\n" + logTail());
  }

  /** The last lines of the server's log, for error messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "(log " + log + " unreadable: " + e.getMessage() + ")";
    }
  }

  private void stop() {
    if (!process.isAlive()) {
      return;
    }
    // bin/robin may still be building (mvn under bash) when stopped early: end those children too.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    deleteDataDir();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or has run: nothing to remove.
    }
  }

  private void deleteDataDir() {
    try (var paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("bench: could not remove the server's data directory " + dataDir + ": " + e.getMessage());
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port: " + e.getMessage(), e);
    }
  }
}
