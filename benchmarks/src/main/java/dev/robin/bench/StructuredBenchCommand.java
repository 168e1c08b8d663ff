package dev.robin.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.robin.bench.cluster.ClusterBenchReport;
import dev.robin.bench.load.ApiBase;
import dev.robin.bench.load.CompletionClient;
import dev.robin.bench.load.CompletionRequestBody;
import dev.robin.bench.load.LevelSummary;
import dev.robin.bench.load.LoadGenerator;
import dev.robin.bench.load.SizedPrompts;
import dev.robin.bench.metrics.MetricsPage;
import dev.robin.bench.report.MachineInfo;
import dev.robin.bench.report.ReportWriter;
import dev.robin.bench.report.TextTable;
import dev.robin.bench.server.ServerProcess;
import dev.robin.bench.structured.BenchSchemas;
import dev.robin.bench.structured.CompileProbe;
import dev.robin.bench.structured.CompileProbe.Compile;
import dev.robin.bench.structured.MaskCost;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin bench structured}: what structured outputs cost a loaded server (issue 13). Against one server,
 * the same closed-loop load runs in alternating rounds as "free" (no request constrained) and "half constrained"
 * (every other request carries a nested JSON Schema); reported are output tokens/s of both and their ratio, the
 * time steps spent on token masks (p50/p99 from the server's {@code /metrics}), and the compile time of 25 schemas
 * sent once each, then one of them again (a cache hit).
 */
@Command(
    name = "structured",
    mixinStandardHelpOptions = true,
    description = {
      "Structured outputs under load: the same streamed load at --concurrency, unconstrained (A) and with every other "
          + "request carrying a nested JSON Schema (B), alternating for --rounds against one server.",
      "Prints output tokens/s of A and B and their ratio (goal B/A ≥ 0.9), the mask time per step (p50, p99) from "
          + "the server's /metrics, and the compile times of 25 schemas (and a repeated one: a cache hit)."
    })
public final class StructuredBenchCommand implements Callable<Integer> {

  static final String FREE = "free";
  static final String HALF = "half constrained";
  static final double GOAL = 0.9;

  @Spec CommandSpec spec;

  @Mixin StartedServerOptions server;

  @Mixin StreamedLoadOptions load;

  @Mixin TargetServerOptions target;

  private String modelName;

  @Option(names = "--concurrency", defaultValue = "16", description = "Closed-loop clients (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--requests", description = "Measured requests per run (default: 4 × concurrency).")
  Integer requests;

  @Option(names = "--warmup",
      description = "Unrecorded requests of each variant before the rounds (default: 2 × concurrency): the JIT, and "
          + "the constrained schema's compilation and first masks, are not measured.")
  Integer warmup;

  @Option(names = "--rounds", defaultValue = "3", description = "Rounds of free then half constrained (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--out", defaultValue = "docs/bench-structured.json", description = "JSON report file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--markdown", description = "Also print a Markdown section for docs/benchmarks.md.")
  boolean markdown;

  private final BenchSchemas schemas = BenchSchemas.read();

  /** One measured run: a variant's level and what the masks cost the server's steps meanwhile. */
  public record Run(
      int round, String variant, @JsonProperty("load_average_1m") double loadAverage1m, LevelSummary level,
      MaskCost masks) {}

  /** The JSON report. */
  public record Report(
      String benchmark, MachineInfo machine, String command, String serverUrl, String modelSpec, String model,
      Settings settings, List<Run> runs, List<Double> ratios, double medianRatio, double goal, List<Compile> compiles) {}

  /** What every run sent. */
  public record Settings(int concurrency, int requests, int warmupRequests, int rounds, int maxTokens,
      int promptTokens, String promptSizing, boolean ignoreEosUnconstrained, String loadSchema) {}

  @Override
  public Integer call() throws Exception {
    return ActionableFailures.run("bench structured", this::execute);
  }

  private Integer execute() throws Exception {
    validate();
    if (target.url != null) {
      return run(ApiBase.of(target.url), URI.create(target.url), false);
    }
    try (ServerProcess started = ServerProcess.start(RobinHome.get(), server.serveArgs(), List.of(),
        server.startupTimeout())) {
      return run(ApiBase.of(started.baseUrl().toString()), started.baseUrl(), true);
    }
  }

  private void validate() {
    load.validate(this::require);
    require(concurrency >= 1, "--concurrency must be at least 1");
    require(requests == null || requests >= 2, "--requests must be at least 2");
    require(warmup == null || warmup >= 0, "--warmup must not be negative");
    require(rounds >= 1, "--rounds must be at least 1");
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  private int requests() {
    return requests != null ? requests : 4 * concurrency;
  }

  private int warmup() {
    return warmup != null ? warmup : 2 * concurrency;
  }

  private int run(URI apiBase, URI serverBase, boolean started) throws InterruptedException {
    MachineInfo machine = MachineInfo.collect(RobinHome.get());
    HttpClient http = CompletionClient.newHttpClient();
    modelName = target.model(http, apiBase, Map.of(), started);
    CompletionClient client = new CompletionClient(http, apiBase, Map.of(), load.timeout());
    int perVariant = warmup() + rounds * requests();
    // Prompts 2i go to the free load, 2i+1 to the half-constrained one, the last to the compile probe: no two
    // requests share a prompt, so the prefix cache helps neither variant.
    SizedPrompts prompts = SizedPrompts.size(http, apiBase, Map.of(), modelName, load.promptTokens, false, load.seed,
        2 * perVariant + 1, "bench structured");
    List<String> p = prompts.prompts();
    LoadGenerator free = generator(client, i -> body(p.get((int) (2 * i)), false));
    LoadGenerator half = generator(client, i -> body(p.get((int) (2 * i + 1)), i % 2 == 0));

    if (warmup() > 0) {
      System.err.printf("bench structured: warming up, %d requests of each variant at concurrency %d%n", warmup(),
          concurrency);
      free.warmUp(concurrency, warmup());
      half.warmUp(concurrency, warmup());
    }
    System.err.printf("bench structured: compiling %d schemas, then the first again%n", schemas.compile().size());
    List<Compile> compiles = CompileProbe.run(http, serverBase, client, modelName, p.get(p.size() - 1),
        schemas.compile());
    List<Run> runs = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      Run a = measure(round, FREE, free, http, serverBase);
      Run b = measure(round, HALF, half, http, serverBase);
      runs.add(a);
      runs.add(b);
      if (a.level().outputTokensPerSecond() > 0) {
        ratios.add(b.level().outputTokensPerSecond() / a.level().outputTokensPerSecond());
      }
    }
    Report report = new Report("structured-outputs", machine, commandLine(), serverBase.toString(),
        started ? server.modelSpec : null, modelName,
        new Settings(concurrency, requests(), warmup(), rounds, load.maxTokens, load.promptTokens, prompts.sizing(),
            load.ignoreEos, schemas.load().name()),
        runs, ratios, ClusterBenchReport.median(ratios), GOAL, compiles);
    ReportWriter.write(report, out);
    System.out.printf("%s%n%s%n%s", runTable(runs), compileTable(compiles), ratioLine(report));
    if (markdown) {
      System.out.printf("%n%s", markdownSection(report));
    }
    System.err.println("bench structured: wrote " + out.toAbsolutePath());
    boolean failed = runs.stream().anyMatch(r -> r.level().numFailed() > 0)
        || compiles.stream().anyMatch(c -> c.error() != null);
    return failed ? 2 : 0;
  }

  private LoadGenerator generator(CompletionClient client, LongFunction<String> bodies) {
    return new LoadGenerator(client::send, bodies);
  }

  /**
   * A constrained request carries the load schema and no {@code ignore_eos}: it ends where its document ends, or
   * at max_tokens; a free one is the sweep's request.
   */
  private String body(String prompt, boolean constrained) {
    if (!constrained) {
      return CompletionRequestBody.of(modelName, prompt, load.maxTokens, load.ignoreEos);
    }
    BenchSchemas.NamedSchema s = schemas.load();
    return CompletionRequestBody.of(modelName, prompt, load.maxTokens, false, s.name(), s.schema());
  }

  private Run measure(int round, String variant, LoadGenerator generator, HttpClient http, URI serverBase)
      throws InterruptedException {
    double loadAverage = Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    System.err.printf("bench structured: round %d, %s, %d requests at concurrency %d%n", round, variant, requests(),
        concurrency);
    Map<String, Double> before = MetricsPage.read(http, serverBase, modelName);
    LevelSummary level = generator.runLevel(concurrency, requests());
    Map<String, Double> after = MetricsPage.read(http, serverBase, modelName);
    MaskCost masks = MaskCost.between(before, after);
    System.err.printf(Locale.ROOT, "bench structured:   %.1f output tokens/s, mask p50 %.3f ms p99 %.3f ms, %d failed%n",
        level.outputTokensPerSecond(), masks.p50Ms(), masks.p99Ms(), level.numFailed());
    return new Run(round, variant, loadAverage, level, masks);
  }

  static String runTable(List<Run> runs) {
    TextTable t = new TextTable("Round", "Load", "Load avg", "Requests", "Failed", "Output tok", "Tok/request",
        "Output tok/s", "ITL p50 ms", "ITL p99 ms", "Step ms mean", "Masked steps", "Masked seq/step",
        "Mask p50 ms", "Mask p99 ms", "Mask mean ms", "Mask % of steps");
    for (Run r : runs) {
      LevelSummary l = r.level();
      MaskCost m = r.masks();
      int ok = l.numRequests() - l.numFailed();
      t.row(r.round(), r.variant(), r.loadAverage1m(), l.numRequests(), l.numFailed(), l.numCompletionTokens(),
          ok > 0 ? (double) l.numCompletionTokens() / ok : Double.NaN, l.outputTokensPerSecond(), l.itlMs().p50(),
          l.itlMs().p99(), m.stepMeanMs(), m.maskedSteps(), m.maskedPerStep(), m.p50Ms(), m.p99Ms(), m.meanMs(),
          100 * m.shareOfSteps());
    }
    return t.render();
  }

  static String compileTable(List<Compile> compiles) {
    TextTable t = new TextTable("Schema", "Sent before", "Compile ms", "Cache hits", "Cache misses", "Error");
    for (Compile c : compiles) {
      t.row(c.name(), c.repeated() ? "yes" : "no", c.compileMs(), c.hits(), c.misses(), c.error() == null ? "" : c.error());
    }
    return t.render();
  }

  static String ratioLine(Report r) {
    List<String> each = new ArrayList<>();
    for (int i = 0; i < r.ratios().size(); i++) {
      each.add(String.format(Locale.ROOT, "round %d %.1f%%", i + 1, 100 * r.ratios().get(i)));
    }
    List<Double> cold = r.compiles().stream().filter(c -> !c.repeated()).map(Compile::compileMs).sorted().toList();
    String compile = cold.isEmpty() ? "" : String.format(Locale.ROOT,
        " Compile time of %d schemas, first time: median %.1f ms, max %.1f ms, total %.0f ms.", cold.size(),
        ClusterBenchReport.median(cold), cold.get(cold.size() - 1), cold.stream().mapToDouble(d -> d).sum());
    return String.format(Locale.ROOT, "Half constrained / free, output tokens/s: %s; median %.1f%% (goal ≥ %.0f%%).%s%n",
        each.isEmpty() ? "no complete round" : String.join(", ", each), 100 * r.medianRatio(), 100 * r.goal(), compile);
  }

  private String markdownSection(Report r) {
    Settings s = r.settings();
    return "### Structured outputs under load, " + r.machine().date().substring(0, 10) + "\n\n"
        + "Measured " + r.machine().date() + " on " + r.machine().oneLine() + ".\n"
        + "`" + (r.modelSpec() != null ? r.modelSpec() : r.model()) + "`; " + s.warmupRequests()
        + " warm-up requests of each variant, then per run " + s.requests() + " requests at concurrency "
        + s.concurrency() + ", prompts of " + (s.promptSizing().equals("tokenize") ? "at most " : "≈")
        + s.promptTokens() + " tokens, max_tokens " + s.maxTokens() + ", temperature 0, streamed; unconstrained "
        + "requests" + (s.ignoreEosUnconstrained() ? " with ignore_eos" : "") + ", constrained ones with schema `"
        + s.loadSchema() + "` and no ignore_eos.\n\n"
        + "```sh\n" + r.command() + "\n```\n\n" + runTable(r.runs()) + "\n" + compileTable(r.compiles()) + "\n"
        + ratioLine(r);
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("bin/robin bench structured");
    target.appendTo(sb);
    if (target.url == null) {
      server.appendTo(sb);
    }
    sb.append(" --concurrency ").append(concurrency).append(" --requests ").append(requests())
        .append(" --warmup ").append(warmup());
    load.appendTo(sb);
    return sb.append(" --rounds ").append(rounds).toString();
  }
}
