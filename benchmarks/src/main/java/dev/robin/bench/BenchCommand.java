package dev.robin.bench;

import dev.robin.bench.load.ApiBase;
import dev.robin.bench.load.CompletionClient;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.load.LoadGenerator;
import dev.robin.bench.load.ModelList;
import dev.robin.bench.load.SizedPrompts;
import dev.robin.bench.report.MachineInfo;
import dev.robin.bench.report.ReportWriter;
import dev.robin.bench.report.TextTable;
import dev.robin.bench.server.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin bench}: a concurrency sweep of streamed completions against a Robin server (one it
 * starts, or {@code --url}), reporting output tokens/s, TTFT, inter-token latency and request latency per
 * level. Subcommands: {@code engine} (decode steps on the model runner), {@code auth-overhead}, {@code cluster}
 * (two nodes against one) and {@code structured} (structured outputs under load).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Concurrency sweep: closed-loop streamed POST /v1/completions at each concurrency level.",
      "Without --url, starts `bin/robin serve --model bench=<spec>` on a free port and stops it at the end."
    },
    subcommands = {EngineBenchCommand.class, AuthOverheadCommand.class, ClusterBenchCommand.class,
        StructuredBenchCommand.class})
public final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin StartedServerOptions server;

  @Mixin StreamedLoadOptions load;

  @Mixin TargetServerOptions target;

  @Option(names = "--server-torch-threads", defaultValue = "0",
      description = "PyTorch intra-op threads of the started server (-Dai.djl.pytorch.num_threads); 0 keeps its "
          + "default, one per core (default: ${DEFAULT-VALUE}).")
  int serverTorchThreads;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16,64", description = "Levels (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--requests-per-level",
      description = "Requests per level (default: 4 × concurrency, at least 16).")
  Integer requestsPerLevel;

  @Option(names = "--shared-prefix", description = "Make the first three quarters of every prompt identical (prefix cache on).")
  boolean sharedPrefix;

  @Option(names = "--warmup",
      description = "Unrecorded requests before the sweep, sent at its highest concurrency but at least 16 at "
          + "once (default: 2 × that level, at least 64): a fresh server's JIT compiles for thousands of streamed "
          + "tokens, which would otherwise slow the first levels.")
  Integer warmup;

  @Option(names = "--api-key", description = "Sent as Authorization: Bearer (default: none, the unauthenticated tier).")
  String apiKey;

  @Option(names = "--out", defaultValue = "docs/bench-results.json", description = "JSON report file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--markdown", description = "Also print a Markdown section (date, machine, command, table) for docs/benchmarks.md.")
  boolean markdown;

  @Override
  public Integer call() throws Exception {
    return ActionableFailures.run("bench", this::execute);
  }

  private Integer execute() throws Exception {
    validate();
    Path home = RobinHome.get();
    if (target.url != null) {
      return run(ApiBase.of(target.url), false);
    }
    List<String> jvmOptions =
        serverTorchThreads > 0 ? List.of("-Dai.djl.pytorch.num_threads=" + serverTorchThreads) : List.of();
    try (ServerProcess started = ServerProcess.start(home, server.serveArgs(), jvmOptions, server.startupTimeout())) {
      return run(ApiBase.of(started.baseUrl().toString()), true);
    }
  }

  private void validate() {
    load.validate(this::require);
    require(warmup == null || warmup >= 0, "--warmup must not be negative");
    require(!concurrency.isEmpty() && concurrency.stream().allMatch(c -> c >= 1), "--concurrency levels must be ≥ 1");
    require(requestsPerLevel == null || requestsPerLevel >= 1, "--requests-per-level must be at least 1");
    require(serverTorchThreads >= 0, "--server-torch-threads must not be negative");
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  private int run(URI apiBase, boolean launched) throws InterruptedException {
    MachineInfo machine = MachineInfo.collect(RobinHome.get());
    HttpClient http = CompletionClient.newHttpClient();
    Map<String, String> headers = new LinkedHashMap<>();
    if (apiKey != null) {
      headers.put("Authorization", "Bearer " + apiKey);
    }
    String modelName = target.model(http, apiBase, headers, launched);
    CompletionClient client = new CompletionClient(http, apiBase, headers, load.timeout());
    List<Integer> counts = new ArrayList<>();
    for (int c : concurrency) {
      counts.add(requestsPerLevel != null ? requestsPerLevel : defaultRequests(c));
    }
    int highest = concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow();
    int warmupRequests = warmup != null ? warmup : defaultWarmup(highest);
    int warmupConcurrency = warmupConcurrency(highest, warmupRequests);
    int numPrompts = warmupRequests + counts.stream().mapToInt(Integer::intValue).sum();
    SizedPrompts prompts =
        SizedPrompts.size(http, apiBase, headers, modelName, load.promptTokens, sharedPrefix, load.seed, numPrompts, "bench");
    LoadGenerator generator = prompts.generator(client, modelName, load.maxTokens, load.ignoreEos);

    if (warmupRequests > 0) {
      System.err.printf("bench: warming up with %d requests at concurrency %d%n", warmupRequests, warmupConcurrency);
      generator.warmUp(warmupConcurrency, warmupRequests);
    }
    List<LevelSummary> levels = new ArrayList<>();
    for (int level = 0; level < concurrency.size(); level++) {
      int c = concurrency.get(level);
      int n = counts.get(level);
      System.err.printf("bench: concurrency %d, %d requests%n", c, n);
      LevelSummary s = generator.runLevel(c, n);
      levels.add(s);
      System.err.printf(
          "bench:   %.1f output tokens/s, TTFT p50 %.1f ms, ITL p50 %.1f ms, %d failed%n",
          s.outputTokensPerSecond(), s.ttftMs().p50(), s.itlMs().p50(), s.numFailed());
      if (s.numFailed() > 0) {
        System.err.println("bench:   first failure: " + s.firstError());
      }
      if (s.numCachedPromptTokens() > 0 && !sharedPrefix) {
        System.err.printf("bench:   WARNING: the server's prefix cache served %d prompt tokens: these prompts were "
            + "sent to it before (same --seed against the same --url?), so the level computed less than it "
            + "reports%n", s.numCachedPromptTokens());
      }
    }
    SweepReport report =
        new SweepReport(
            "concurrency-sweep",
            machine,
            commandLine(),
            apiBase.toString(),
            launched,
            launched ? server.modelSpec : null,
            modelName,
            new SweepReport.Settings(
                load.maxTokens, load.promptTokens, prompts.sizing(), sharedPrefix, load.ignoreEos, warmupRequests,
                warmupConcurrency,
                List.copyOf(concurrency),
                counts, load.seed),
            levels,
            ModelList.health(http, apiBase));
    ReportWriter.write(report, out);
    System.out.print(table(levels));
    if (markdown) {
      System.out.println();
      System.out.print(markdownSection(report));
    }
    System.err.println("bench: wrote " + out.toAbsolutePath());
    return levels.stream().anyMatch(l -> l.numFailed() > 0) ? 2 : 0;
  }

  /**
   * Enough requests for each worker to send four: the first wave starts together (all prompts at once) and the
   * last drains with fewer than C streams, so with two per worker those edges were half of a level.
   */
  static int defaultRequests(int concurrency) {
    return Math.max(16, 4 * concurrency);
  }

  /**
   * Workers of the warm-up: the sweep's highest level, at least 16. The warm-up only has to run the server's
   * code hot, not the levels' shape; one request at a time, a single-stream sweep would warm up for minutes.
   */
  static int warmupConcurrency(int highestConcurrency, int warmupRequests) {
    return Math.max(1, Math.min(warmupRequests, Math.max(16, highestConcurrency)));
  }

  /** Warm-up requests: two waves of the sweep's highest level, and at least 64 for a low one. */
  static int defaultWarmup(int highestConcurrency) {
    return Math.max(64, 2 * highestConcurrency);
  }

  /** The per-level table (Markdown with padded columns). */
  static String table(List<LevelSummary> levels) {
    TextTable t =
        new TextTable(
            "Concurrency", "Requests", "Failed", "Prompt tok", "Output tok/s", "TTFT p50 ms", "TTFT p99 ms", "ITL p50 ms",
            "ITL p99 ms", "Latency p50 ms", "Latency p99 ms");
    for (LevelSummary l : levels) {
      t.row(
          l.concurrency(), l.numRequests(), l.numFailed(), l.meanPromptTokens(), l.outputTokensPerSecond(),
          l.ttftMs().p50(),
          l.ttftMs().p99(), l.itlMs().p50(), l.itlMs().p99(), l.latencyMs().p50(), l.latencyMs().p99());
    }
    return t.render();
  }

  static String markdownSection(SweepReport r) {
    SweepReport.Settings s = r.settings();
    return "### " + (r.modelSpec() != null ? r.modelSpec() : r.model()) + ", " + r.machine().date().substring(0, 10)
        + "\n\nMeasured " + r.machine().date() + " on " + r.machine().oneLine() + ".\n"
        + "Prompts of " + (s.promptSizing().equals("tokenize") ? "at most " : "≈") + s.promptTokens() + " tokens"
        + (s.promptSizing().equals("tokenize") ? " (sized with the server's tokenizer; mean per level in the table)" : "")
        + (s.sharedPrefix() ? ", shared prefix" : ", distinct")
        + ", max_tokens " + s.maxTokens() + (s.ignoreEos() ? " with ignore_eos" : "") + ", temperature 0, streamed.\n\n"
        + "```sh\n" + r.command() + "\n```\n\n" + table(r.levels()) + relativeToSingleStream(r.levels());
  }

  /**
   * Each level's output throughput and ITL p99 as multiples of concurrency 1's, the ratios batching targets
   * are stated in; empty without a successful concurrency-1 level.
   */
  static String relativeToSingleStream(List<LevelSummary> levels) {
    LevelSummary single = levels.stream()
        .filter(l -> l.concurrency() == 1 && l.numFailed() < l.numRequests() && l.outputTokensPerSecond() > 0)
        .findFirst().orElse(null);
    if (single == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\nRelative to concurrency 1:");
    for (LevelSummary l : levels) {
      if (l.concurrency() != 1) {
        sb.append(String.format(java.util.Locale.ROOT, " %d: %.1f× output tokens/s, %.1f× ITL p99;",
            l.concurrency(), l.outputTokensPerSecond() / single.outputTokensPerSecond(),
            l.itlMs().p99() / single.itlMs().p99()));
      }
    }
    sb.setLength(sb.length() - 1);
    return sb.append(".\n").toString();
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("bin/robin bench");
    target.appendTo(sb);
    if (target.url == null) {
      server.appendTo(sb);
      if (serverTorchThreads > 0) {
        sb.append(" --server-torch-threads ").append(serverTorchThreads);
      }
    }
    sb.append(" --concurrency ").append(String.join(",", concurrency.stream().map(String::valueOf).toList()));
    if (requestsPerLevel != null) {
      sb.append(" --requests-per-level ").append(requestsPerLevel);
    }
    load.appendTo(sb);
    if (sharedPrefix) {
      sb.append(" --shared-prefix");
    }
    if (warmup != null) {
      sb.append(" --warmup ").append(warmup);
    }
    return sb.toString();
  }
}
