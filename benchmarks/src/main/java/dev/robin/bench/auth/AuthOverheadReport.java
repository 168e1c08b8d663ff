package dev.robin.bench.auth;

import dev.robin.bench.report.MachineInfo;
import dev.robin.bench.stats.Percentiles;
import java.util.List;
import java.util.Map;

/**
 * The JSON document of {@code bench auth-overhead}.
 *
 * @param route e.g. {@code POST /v1/tokenize}
 * @param overheadP50Ms p50 with authentication and limits minus p50 without
 * @param overheadP99Ms the same for p99
 */
public record AuthOverheadReport(
    String benchmark,
    MachineInfo machine,
    String command,
    String route,
    List<Variant> variants,
    double overheadP50Ms,
    double overheadP99Ms) {

  /**
   * One side of the comparison.
   *
   * @param name {@code off} (no authentication, no rate limits) or {@code on}
   * @param serverArgs extra {@code serve} arguments when the benchmark started the server, else null
   * @param sendsKey whether requests carried an API key
   * @param statuses HTTP status (or exception) → count
   */
  public record Variant(
      String name,
      String url,
      List<String> serverArgs,
      boolean sendsKey,
      long numRequests,
      int numFailed,
      Map<String, Integer> statuses,
      String firstFailure,
      Percentiles latencyMs) {}
}
