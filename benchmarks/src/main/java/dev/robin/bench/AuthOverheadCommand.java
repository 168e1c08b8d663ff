package dev.robin.bench;

import dev.robin.bench.auth.ApiKeys;
import dev.robin.bench.auth.AuthOverheadReport;
import dev.robin.bench.auth.CheapRoute;
import dev.robin.bench.auth.LatencyProbe;
import dev.robin.bench.load.ApiBase;
import dev.robin.bench.load.CompletionClient;
import dev.robin.bench.load.ModelList;
import dev.robin.bench.report.MachineInfo;
import dev.robin.bench.report.ReportWriter;
import dev.robin.bench.report.TextTable;
import dev.robin.bench.server.ConfigOverlay;
import dev.robin.bench.server.ServerProcess;
import dev.robin.bench.stats.Percentiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin bench auth-overhead}: latency of a cheap route with authentication and rate limiting
 * ("on": a key is sent, verified and charged) and without ("off": limits disabled, no key). Either two
 * running servers ({@code --off-url}, {@code --on-url}; measured in alternating rounds so drift hits both)
 * or two servers started one after the other, each with its HOCON overlay ({@code serve --config}).
 */
@Command(
    name = "auth-overhead",
    mixinStandardHelpOptions = true,
    description = "p50/p99 latency of a cheap route with authentication + rate limits on vs off.")
public final class AuthOverheadCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--off-url", description = "Running server without authentication and rate limits.")
  String offUrl;

  @Option(names = "--on-url", description = "Running server with authentication and rate limits.")
  String onUrl;

  @Option(names = "--model", defaultValue = "synthetic:tiny",
      description = "Model spec of the servers the benchmark starts (default: ${DEFAULT-VALUE}).")
  String modelSpec;

  @Option(names = "--model-name", description = "Model id for /tokenize (default: bench, or the first listed with URLs).")
  String modelName;

  @Option(names = "--off-config", defaultValue = "robin.rate-limits.enabled = false",
      description = "HOCON layered over the 'off' server's configuration with serve --config "
          + "(default: ${DEFAULT-VALUE}; empty for none).")
  String offConfig;

  @Option(names = "--on-config", defaultValue = "robin.rate-limits.authenticated.requests = 1000000",
      description = "HOCON layered over the 'on' server's configuration: limits stay on (every request is checked "
          + "and charged) but high enough never to refuse the benchmark (default: ${DEFAULT-VALUE}).")
  String onConfig;

  @Option(names = "--off-server-arg", description = "Extra serve argument of the 'off' server (repeatable).")
  List<String> offServerArgs = new ArrayList<>();

  @Option(names = "--on-server-arg", description = "Extra serve argument of the 'on' server (repeatable).")
  List<String> onServerArgs = new ArrayList<>();

  @Option(names = "--api-key", description = "Key the 'on' side sends (default: one created with POST /v1/keys).")
  String apiKey;

  @Option(names = "--route", defaultValue = "TOKENIZE",
      description = "TOKENIZE (POST /v1/tokenize) or MODELS (GET /v1/models, limited to 60/min) (default: ${DEFAULT-VALUE}).")
  CheapRoute route;

  @Option(names = "--requests", defaultValue = "2000",
      description = "Timed requests per side; with URLs, warm-up + requests must stay under the key's limit "
          + "(default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--warmup", defaultValue = "500", description = "Untimed requests per side (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--rounds", defaultValue = "4", description = "Alternating rounds with two URLs (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--startup-timeout", defaultValue = "600", description = "Seconds a started server may take (default: ${DEFAULT-VALUE}).")
  int startupTimeoutSeconds;

  @Option(names = "--out", defaultValue = "docs/bench-auth-overhead.json", description = "JSON report file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--markdown", description = "Also print a Markdown section for docs/benchmarks.md.")
  boolean markdown;

  private final HttpClient http = CompletionClient.newHttpClient();

  /** One side of the comparison while it is measured. */
  private final class Side {
    final String name;
    final List<String> serverArgs;
    final LatencyProbe probe = new LatencyProbe(http);
    URI apiBase;
    String key;

    Side(String name, List<String> serverArgs) {
      this.name = name;
      this.serverArgs = serverArgs;
    }

    HttpRequest request() {
      return route.request(apiBase, modelName, key == null ? Map.of() : Map.of("Authorization", "Bearer " + key));
    }

    AuthOverheadReport.Variant result() {
      return new AuthOverheadReport.Variant(
          name, apiBase.toString(), serverArgs, key != null, probe.latencies().count(), probe.numFailed(),
          probe.statuses(), probe.firstFailure(), probe.latencies().toMillis());
    }
  }

  @Override
  public Integer call() throws Exception {
    return ActionableFailures.run("bench auth-overhead", this::execute);
  }

  private Integer execute() throws Exception {
    if ((offUrl == null) != (onUrl == null)) {
      throw new ParameterException(spec.commandLine(), "give both --off-url and --on-url, or neither");
    }
    if (requests < 1 || warmup < 0 || rounds < 1) {
      throw new ParameterException(spec.commandLine(), "--requests and --rounds must be positive, --warmup not negative");
    }
    MachineInfo machine = MachineInfo.collect(RobinHome.get());
    boolean launch = offUrl == null;
    Side off = new Side("off", launch ? ConfigOverlay.serveArgs(offConfig, offServerArgs) : null);
    Side on = new Side("on", launch ? ConfigOverlay.serveArgs(onConfig, onServerArgs) : null);
    if (launch) {
      if (modelName == null) {
        modelName = "bench";
      }
      measureLaunched(off, false);
      measureLaunched(on, true);
    } else {
      off.apiBase = ApiBase.of(offUrl);
      on.apiBase = ApiBase.of(onUrl);
      if (modelName == null && route == CheapRoute.TOKENIZE) {
        modelName = ModelList.ids(http, off.apiBase, Map.of()).stream().findFirst()
            .orElseThrow(() -> new IllegalStateException(offUrl + " lists no model; name one with --model-name"));
      }
      on.key = apiKey != null ? apiKey : ApiKeys.create(http, on.apiBase);
      off.probe.run(off.request(), warmup, false);
      on.probe.run(on.request(), warmup, false);
      int perRound = Math.max(1, requests / rounds);
      for (int r = 0; r < rounds; r++) {
        off.probe.run(off.request(), perRound, true);
        on.probe.run(on.request(), perRound, true);
      }
    }
    AuthOverheadReport.Variant offResult = off.result();
    AuthOverheadReport.Variant onResult = on.result();
    Percentiles a = offResult.latencyMs();
    Percentiles b = onResult.latencyMs();
    AuthOverheadReport report =
        new AuthOverheadReport(
            "auth-overhead", machine, commandLine(), route.describe(),
            List.of(offResult, onResult), b.p50() - a.p50(), b.p99() - a.p99());
    ReportWriter.write(report, out);
    String table = table(report);
    System.out.print(table);
    if (markdown) {
      System.out.printf("%nMeasured %s on %s.%n%n```sh%n%s%n```%n%n%s",
          report.machine().date(), report.machine().oneLine(), report.command(), table);
    }
    for (AuthOverheadReport.Variant v : report.variants()) {
      if (v.numFailed() > 0) {
        System.err.println("bench auth-overhead: side '" + v.name() + "' had " + v.numFailed()
            + " failed requests (not timed); first: " + v.firstFailure());
      }
    }
    System.err.println("bench auth-overhead: wrote " + out.toAbsolutePath());
    return offResult.numFailed() + onResult.numFailed() > 0 ? 2 : 0;
  }

  private void measureLaunched(Side side, boolean withKey) throws InterruptedException {
    List<String> args = new ArrayList<>(List.of("--model", "bench=" + modelSpec));
    args.addAll(side.serverArgs);
    try (ServerProcess server = ServerProcess.start(RobinHome.get(), args, Duration.ofSeconds(startupTimeoutSeconds))) {
      side.apiBase = ApiBase.of(server.baseUrl().toString());
      if (withKey) {
        side.key = apiKey != null ? apiKey : ApiKeys.create(http, side.apiBase);
      }
      side.probe.run(side.request(), warmup, false);
      side.probe.run(side.request(), requests, true);
    }
  }

  static String table(AuthOverheadReport r) {
    TextTable t = new TextTable("Auth + limits", "Route", "Requests", "Failed", "p50 ms", "p90 ms", "p99 ms", "mean ms");
    for (AuthOverheadReport.Variant v : r.variants()) {
      Percentiles p = v.latencyMs();
      t.row(v.name(), r.route(), v.numRequests(), v.numFailed(), p.p50(), p.p90(), p.p99(), p.mean());
    }
    return t.render() + String.format("%nOverhead: p50 %+.3f ms, p99 %+.3f ms%n", r.overheadP50Ms(), r.overheadP99Ms());
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("bin/robin bench auth-overhead");
    if (offUrl != null) {
      sb.append(" --off-url ").append(offUrl).append(" --on-url ").append(onUrl).append(" --rounds ").append(rounds);
    } else {
      sb.append(" --model ").append(modelSpec);
      sb.append(" --off-config '").append(offConfig).append("' --on-config '").append(onConfig).append("'");
      offServerArgs.forEach(a -> sb.append(" --off-server-arg=").append(a));
      onServerArgs.forEach(a -> sb.append(" --on-server-arg=").append(a));
    }
    sb.append(" --route ").append(route).append(" --requests ").append(requests).append(" --warmup ").append(warmup);
    return sb.toString();
  }
}
