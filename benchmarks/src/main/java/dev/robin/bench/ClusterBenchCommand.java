package dev.robin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.robin.bench.cluster.ClusterBenchReport;
import dev.robin.bench.cluster.ClusterBenchReport.Node;
import dev.robin.bench.cluster.ClusterBenchReport.Run;
import dev.robin.bench.cluster.CpuUsage;
import dev.robin.bench.cluster.CpuUsage.CoreCpu;
import dev.robin.bench.cluster.CpuUsage.ProcessCpu;
import dev.robin.bench.cluster.NodeReadings;
import dev.robin.bench.cluster.Preflight;
import dev.robin.bench.cluster.ProcCpu;
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
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin bench cluster}: does a second node add throughput? The same closed-loop load of streamed
 * completions, sent to one node, is served once by that node alone (one replica, pinned to one core) and once by
 * it and a second node (one replica each, each pinned to its own core), in alternating rounds; reported are the
 * output tokens/s of both, their ratio, and where the cores went during each level.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "Two nodes against one: the same load, sent to one entry node, served by that node alone (one replica, pinned "
          + "to one core with taskset), then by it and a second node (one replica each, each on its own core), "
          + "alternating for --rounds.",
      "Prints output tokens/s, the ratio two nodes / one node, and where the cores went. Every run sends the same "
          + "prompts, sized once with the first node's tokenizer, to freshly started nodes."
    })
public final class ClusterBenchCommand implements Callable<Integer> {

  static final String ONE_NODE = "one node";
  static final String TWO_NODES = "two nodes";
  static final double GOAL = 1.8;
  private static final String MODEL_ID = StartedServerOptions.MODEL_ID;

  @Spec CommandSpec spec;

  @Mixin StartedServerOptions server;

  @Mixin StreamedLoadOptions load;

  @Option(names = "--cpus", split = ",", defaultValue = "0,1",
      description = "The CPU of the one node and of node 1 (the entry node), then that of node 2 "
          + "(default: ${DEFAULT-VALUE}).")
  List<Integer> cpus;

  @Option(names = "--torch-threads", defaultValue = "1",
      description = "PyTorch intra-op threads of each node (ROBIN_TORCH_THREADS) (default: ${DEFAULT-VALUE}).")
  int torchThreads;

  @Option(names = "--concurrency", defaultValue = "16", description = "Closed-loop clients (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--requests",
      description = "Measured requests per run (default: 3 × concurrency).")
  Integer requests;

  @Option(names = "--warmup",
      description = "Unrecorded requests before each run's measured ones, at the same concurrency, on the freshly "
          + "started nodes (default: the concurrency).")
  Integer warmup;

  @Option(names = "--rounds", defaultValue = "2",
      description = "Rounds of one node then two nodes (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--out", defaultValue = "docs/bench-cluster.json", description = "JSON report file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--markdown", description = "Also print a Markdown section for docs/benchmarks.md.")
  boolean markdown;

  private final HttpClient http = CompletionClient.newHttpClient();
  private Path taskset;
  private int ticksPerSecond;
  private SizedPrompts prompts;

  @Override
  public Integer call() throws Exception {
    return ActionableFailures.run("bench cluster", this::execute);
  }

  private Integer execute() throws Exception {
    validate();
    taskset = Preflight.taskset(System.getenv("PATH"));
    Preflight.requireCores(cpus, Preflight.allowedCpus());
    ticksPerSecond = ProcCpu.ticksPerSecond();
    MachineInfo machine = MachineInfo.collect(RobinHome.get());
    List<Run> runs = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      List<Run> thisRound = List.of(run(round, ONE_NODE), run(round, TWO_NODES));
      runs.addAll(thisRound);
      System.out.printf("%nRound %d of %d%n%n%s%n%s", round, rounds, throughputTable(thisRound), cpuTable(thisRound));
    }
    List<Double> ratios = ClusterBenchReport.ratios(runs, ONE_NODE, TWO_NODES);
    ClusterBenchReport report = new ClusterBenchReport(
        "cluster-scaling", machine, commandLine(), server.modelSpec,
        new ClusterBenchReport.Settings(
            concurrency, requests(), warmup(), load.maxTokens, load.promptTokens, prompts.sizing(), load.ignoreEos,
            List.copyOf(cpus), torchThreads, rounds, load.seed, server.serverConfig, List.copyOf(server.serverArgs)),
        runs, ratios, ClusterBenchReport.median(ratios), GOAL);
    ReportWriter.write(report, out);
    System.out.printf("%n%s", ratioLine(report));
    if (markdown) {
      System.out.printf("%n%s", markdownSection(report));
    }
    System.err.println("bench cluster: wrote " + out.toAbsolutePath());
    return runs.stream().anyMatch(r -> r.level().numFailed() > 0) ? 2 : 0;
  }

  void validate() {
    require(cpus.size() == 2 && !cpus.get(0).equals(cpus.get(1)) && cpus.stream().allMatch(c -> c >= 0),
        "--cpus must name two different CPUs, e.g. 0,1");
    require(torchThreads >= 1, "--torch-threads must be at least 1");
    require(concurrency >= 1, "--concurrency must be at least 1");
    require(requests == null || requests >= 1, "--requests must be at least 1");
    require(warmup == null || warmup >= 0, "--warmup must not be negative");
    require(rounds >= 1, "--rounds must be at least 1");
    require(server.startupTimeoutSeconds >= 1, "--startup-timeout must be at least 1 second");
    load.validate(this::require);
  }

  private void require(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }

  int requests() {
    return requests != null ? requests : 3 * concurrency;
  }

  int warmup() {
    return warmup != null ? warmup : concurrency;
  }

  /** Starts the variant's nodes, sends the load through the first, measures, and stops them whatever happens. */
  private Run run(int round, String variant) throws Exception {
    int numNodes = variant.equals(TWO_NODES) ? 2 : 1;
    double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.err.printf("bench cluster: round %d, %s (load average %.2f)%n", round, variant, loadAverage);
    List<ServerProcess> nodes = new ArrayList<>();
    try {
      int seedPort = ServerProcess.freePort();
      String seedNode = "pekko://robin@127.0.0.1:" + seedPort;
      for (int i = 0; i < numNodes; i++) {
        nodes.add(node(cpus.get(i), i == 0 ? seedPort : ServerProcess.freePort(), seedNode).spawn());
      }
      for (ServerProcess node : nodes) {
        node.awaitHealthy(server.startupTimeout());
      }
      URI entry = ApiBase.of(nodes.get(0).baseUrl().toString());
      awaitReplicas(nodes, entry, numNodes);
      if (prompts == null) {
        prompts = SizedPrompts.size(http, entry, Map.of(), MODEL_ID, load.promptTokens, false, load.seed,
            warmup() + requests(), "bench cluster");
      }
      LoadGenerator generator = prompts.generator(
          new CompletionClient(http, entry, Map.of(), load.timeout()), MODEL_ID, load.maxTokens, load.ignoreEos);
      if (warmup() > 0) {
        System.err.printf("bench cluster:   warming up with %d requests%n", warmup());
        generator.warmUp(concurrency, warmup());
      }
      System.err.printf("bench cluster:   %d requests at concurrency %d through %s%n", requests(), concurrency, entry);
      long self = ProcessHandle.current().pid();
      NodeReadings before = NodeReadings.take(http, nodes, self, MODEL_ID);
      LevelSummary level = generator.runLevel(concurrency, requests());
      NodeReadings after = NodeReadings.take(http, nodes, self, MODEL_ID);
      nodes.forEach(n -> n.requireAlive("during the level"));
      double seconds = CpuUsage.seconds(before.cpu(), after.cpu());
      List<Node> nodeResults = new ArrayList<>();
      List<ProcessCpu> ours = new ArrayList<>();
      for (int i = 0; i < numNodes; i++) {
        ServerProcess n = nodes.get(i);
        ProcessCpu cpu = CpuUsage.process(before.cpu(), after.cpu(), n.pid(), ticksPerSecond);
        ours.add(cpu);
        nodeResults.add(new Node(
            "node " + (i + 1), cpus.get(i), n.baseUrl().toString(), before.steps(i, after, seconds), cpu));
      }
      ProcessCpu loadGenerator = CpuUsage.process(before.cpu(), after.cpu(), self, ticksPerSecond);
      ours.add(loadGenerator);
      List<CoreCpu> cores = CpuUsage.cores(before.cpu(), after.cpu());
      JsonNode health = ModelList.health(http, entry);
      System.err.printf(
          "bench cluster:   %.1f output tokens/s, ITL p50 %.1f ms, %d failed%n",
          level.outputTokensPerSecond(), level.itlMs().p50(), level.numFailed());
      if (level.numFailed() > 0) {
        System.err.println("bench cluster:   first failure: " + level.firstError());
      }
      return new Run(round, variant, Math.round(loadAverage * 100) / 100.0, seconds, level, nodeResults, loadGenerator,
          cores, CpuUsage.others(cores, ours), health);
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }

  /** A node pinned to {@code cpu} with its own cluster port, joining {@code seedNode} (the first node's address). */
  private ServerProcess.Launch node(int cpu, int clusterPort, String seedNode) throws Exception {
    List<String> serve = new ArrayList<>(server.serveArgs());
    serve.addAll(List.of("--seed-node", seedNode));
    return new ServerProcess.Launch(RobinHome.get())
        .prefix(List.of(taskset.toString(), "-c", Integer.toString(cpu)))
        .serveArgs(serve)
        .environment("ROBIN_TORCH_THREADS", Integer.toString(torchThreads))
        .environment("ROBIN_CLUSTER_HOST", "127.0.0.1")
        .environment("ROBIN_CLUSTER_PORT", Integer.toString(clusterPort));
  }

  /** Waits until the entry node's router sees {@code expected} replicas of the model (its /health). */
  private void awaitReplicas(List<ServerProcess> nodes, URI entry, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + server.startupTimeout().toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      nodes.forEach(n -> n.requireAlive("before the cluster formed"));
      seen = routedReplicas(ModelList.health(http, entry));
      if (seen == expected) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the entry node's router saw " + seen + " replica(s) of " + MODEL_ID
        + ", not " + expected + ", after " + server.startupTimeoutSeconds + " s; its log:\n" + nodes.get(0).logTail());
  }

  /** The size of {@code cluster_replicas} of the benchmarked model in a /health document (0 when absent). */
  static int routedReplicas(JsonNode health) {
    if (health != null) {
      for (JsonNode m : health.path("models")) {
        if (m.path("id").asText().equals(MODEL_ID)) {
          return m.path("cluster_replicas").size();
        }
      }
    }
    return 0;
  }

  static String throughputTable(List<Run> runs) {
    TextTable t = new TextTable("Round", "Variant", "Load avg", "Requests", "Failed", "Output tok/s", "TTFT p50 ms",
        "ITL p50 ms", "ITL p99 ms", "Latency p50 ms");
    for (Run r : runs) {
      LevelSummary l = r.level();
      t.row(r.round(), r.variant(), r.loadAverage1m(), l.numRequests(), l.numFailed(), l.outputTokensPerSecond(),
          l.ttftMs().p50(), l.itlMs().p50(), l.itlMs().p99(), l.latencyMs().p50());
    }
    return t.render();
  }

  /**
   * Where the cores went during each level: per node its replica's steps (busy = share of the wall time in
   * steps) and its process's CPU by thread kind, then the load generator and everything else on the machine,
   * then each core's busy and stolen share.
   */
  static String cpuTable(List<Run> runs) {
    TextTable t = new TextTable("Round", "Variant", "Process", "CPU", "Requests", "Steps busy %", "Decode ms",
        "Decode batch", "Mixed ms", "Mixed tok", "Cores", "model", "JIT", "GC", "other");
    for (Run r : runs) {
      for (Node n : r.nodes()) {
        var s = n.steps();
        ProcessCpu c = n.cpu();
        t.row(r.round(), r.variant(), n.name(), n.pinnedCpu(), s.requests(), 100 * s.busy(), s.decodeStepMs(),
            s.decodeBatch(), s.mixedStepMs(), s.mixedTokens(), cores(c, ProcessCpu::cores), cores(c, ProcessCpu::model),
            cores(c, ProcessCpu::jit), cores(c, ProcessCpu::gc), cores(c, ProcessCpu::other));
      }
      ProcessCpu g = r.loadGenerator();
      t.row(r.round(), r.variant(), "load generator", "any", "-", "-", "-", "-", "-", "-", cores(g, ProcessCpu::cores),
          "-", cores(g, ProcessCpu::jit), cores(g, ProcessCpu::gc), "-");
      t.row(r.round(), r.variant(), "rest of the machine", "any", "-", "-", "-", "-", "-", "-", r.otherCores(),
          "-", "-", "-", "-");
    }
    List<String> header = new ArrayList<>(List.of("Round", "Variant"));
    List<CoreCpu> first = runs.isEmpty() ? List.of() : runs.get(0).cores();
    for (CoreCpu c : first) {
      header.add("cpu" + c.cpu() + " busy %");
      header.add("cpu" + c.cpu() + " stolen %");
    }
    TextTable coreTable = new TextTable(header.toArray(String[]::new));
    for (Run r : runs) {
      List<Object> row = new ArrayList<>(List.of(r.round(), r.variant()));
      for (CoreCpu c : first) {
        CoreCpu m = r.cores().stream().filter(x -> x.cpu() == c.cpu()).findFirst().orElse(null);
        row.add(m == null ? "-" : (Object) (100 * m.busy()));
        row.add(m == null ? "-" : (Object) (100 * m.steal()));
      }
      coreTable.row(row.toArray());
    }
    return t.render() + "\n" + coreTable.render();
  }

  private static Object cores(ProcessCpu cpu, java.util.function.ToDoubleFunction<ProcessCpu> part) {
    return cpu == null ? "-" : (Object) part.applyAsDouble(cpu);
  }

  /** "Two nodes / one node, output tokens/s: round 1 1.52×, round 2 1.61×; median 1.57× (goal ≥ 1.8×)." */
  static String ratioLine(ClusterBenchReport r) {
    List<String> each = new ArrayList<>();
    for (int i = 0; i < r.ratios().size(); i++) {
      each.add(String.format(Locale.ROOT, "round %d %.2f×", i + 1, r.ratios().get(i)));
    }
    return String.format(Locale.ROOT, "Two nodes / one node, output tokens/s: %s; median %.2f× (goal ≥ %.1f×).%n",
        each.isEmpty() ? "no complete round" : String.join(", ", each), r.medianRatio(), r.goal());
  }

  private String markdownSection(ClusterBenchReport r) {
    ClusterBenchReport.Settings s = r.settings();
    return "### Two nodes against one, " + r.machine().date().substring(0, 10) + "\n\n"
        + "Measured " + r.machine().date() + " on " + r.machine().oneLine() + ".\n"
        + "`" + r.modelSpec() + "`, one replica per node with " + s.torchThreads() + " PyTorch thread"
        + (s.torchThreads() == 1 ? "" : "s") + "; one node on CPU " + s.cpus().get(0) + ", or node 1 on CPU "
        + s.cpus().get(0) + " and node 2 on CPU " + s.cpus().get(1) + " (`taskset -c`), node 2 joined to node 1; "
        + "every request sent to the one node / node 1; the load generator not pinned. Per run " + s.warmupRequests()
        + " warm-up and " + s.requests() + " measured requests at concurrency " + s.concurrency() + ", prompts of "
        + (s.promptSizing().equals("tokenize") ? "at most " : "≈") + s.promptTokens() + " tokens, max_tokens "
        + s.maxTokens() + (s.ignoreEos() ? " with ignore_eos" : "") + ", temperature 0, streamed.\n\n"
        + "```sh\n" + r.command() + "\n```\n\n"
        + throughputTable(r.runs()) + "\n" + cpuTable(r.runs()) + "\n" + ratioLine(r);
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("bin/robin bench cluster");
    server.appendTo(sb);
    sb.append(" --cpus ").append(cpus.stream().map(String::valueOf).collect(Collectors.joining(",")))
        .append(" --torch-threads ").append(torchThreads)
        .append(" --concurrency ").append(concurrency)
        .append(" --requests ").append(requests())
        .append(" --warmup ").append(warmup());
    load.appendTo(sb);
    return sb.append(" --rounds ").append(rounds).toString();
  }
}
