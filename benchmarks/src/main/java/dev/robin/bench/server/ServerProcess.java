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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    return new Launch(robinHome).serveArgs(serveArgs).jvmOptions(jvmOptions).start(startupTimeout);
  }

  /**
   * How to start a server: {@code [prefix…] <robinHome>/bin/robin serve --port <free port> --data-dir <temp>
   * <serveArgs…>}, with extra JVM options and environment variables.
   */
  public static final class Launch {
    private final Path robinHome;
    private final List<String> prefix = new ArrayList<>();
    private final List<String> serveArgs = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();

    public Launch(Path robinHome) {
      this.robinHome = robinHome;
    }

    /** A command the launcher runs under, e.g. {@code taskset -c 0}. */
    public Launch prefix(List<String> command) {
      prefix.addAll(command);
      return this;
    }

    public Launch serveArgs(List<String> args) {
      serveArgs.addAll(args);
      return this;
    }

    /** Appended to the server JVM's {@code ROBIN_JAVA_OPTS}. */
    public Launch jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    /** An environment variable of the server (e.g. {@code ROBIN_CLUSTER_PORT}). */
    public Launch environment(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** Starts the server and waits until it is healthy; stops it again if it is not. */
    public ServerProcess start(Duration startupTimeout) throws InterruptedException {
      ServerProcess server = spawn();
      try {
        server.awaitHealthy(startupTimeout);
      } catch (RuntimeException | InterruptedException e) {
        server.close();
        throw e;
      }
      return server;
    }

    /**
     * Starts the server without waiting for it ({@link #awaitHealthy}): several servers can then load at once.
     * The caller must {@link #close()} it.
     */
    public ServerProcess spawn() {
      Path launcher = robinHome.resolve("bin/robin");
      if (!Files.isExecutable(launcher)) {
        throw new IllegalStateException("cannot start a server: " + launcher + " is missing or not executable");
      }
      int port = freePort();
      Path log;
      Path dataDir;
      List<String> cmd = new ArrayList<>(prefix);
      Process process;
      try {
        log = Files.createTempFile("robin-bench-server-" + port + "-", ".log");
        dataDir = Files.createTempDirectory("robin-bench-data-");
        cmd.addAll(List.of(
            launcher.toString(), "serve", "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        cmd.addAll(serveArgs);
        ProcessBuilder builder =
            new ProcessBuilder(cmd).directory(robinHome.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        if (!jvmOptions.isEmpty()) {
          String inherited = builder.environment().getOrDefault("ROBIN_JAVA_OPTS", "");
          builder.environment().put("ROBIN_JAVA_OPTS", (inherited + " " + String.join(" ", jvmOptions)).strip());
        }
        builder.environment().putAll(environment);
        process = builder.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start bin/robin serve: " + e.getMessage(), e);
      }
      StringBuilder env = new StringBuilder();
      environment.forEach((k, v) -> env.append(k).append('=').append(v).append(' '));
      if (!jvmOptions.isEmpty()) {
        env.append("ROBIN_JAVA_OPTS+=\"").append(String.join(" ", jvmOptions)).append("\" ");
      }
      System.err.println(
          "bench: started " + env + String.join(" ", cmd) + " (pid " + process.pid() + ", log " + log + ")");
      return new ServerProcess(process, URI.create("http://127.0.0.1:" + port), log, dataDir);
    }
  }

  /** {@code http://127.0.0.1:<port>}, without the API path. */
  public URI baseUrl() {
    return baseUrl;
  }

  public Path log() {
    return log;
  }

  /** The server's process id (the JVM's: {@code bin/robin} and a prefix such as {@code taskset} exec it). */
  public long pid() {
    return process.pid();
  }

  /**
   * Waits until {@code GET /v1/health} answers 200 (a model is ready).
   *
   * @throws IllegalStateException when the server exits first or is not healthy within {@code timeout}, with
   *     the end of its log
   */
  public void awaitHealthy(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(baseUrl.resolve("/v1/health")).timeout(Duration.ofSeconds(5)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    int lastStatus = -1;
    while (System.nanoTime() < deadline) {
      requireAlive("before it was ready");
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

  /**
   * @throws IllegalStateException when the server has exited, with its status and the end of its log
   */
  public void requireAlive(String when) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the server (port " + baseUrl.getPort() + ") exited with status " + process.exitValue() + " " + when
              + ":\n" + logTail());
    }
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

  /**
   * Stops the server and every process below it: SIGTERM (a graceful drain), then SIGKILL for whatever is left
   * after 30 s. bin/robin may still be building (mvn under bash) when stopped early, so its children go too.
   */
  private void stop() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    if (tree.stream().noneMatch(ProcessHandle::isAlive)) {
      return;
    }
    tree.forEach(ProcessHandle::destroy);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (ProcessHandle p : tree) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !waitFor(p, left)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean waitFor(ProcessHandle p, long nanos) throws InterruptedException {
    try {
      p.onExit().get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
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

  /** A TCP port free on this machine now (e.g. for a started server's cluster port). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port: " + e.getMessage(), e);
    }
  }
}
