package dev.robin.bench.structured;

import dev.robin.bench.load.CompletionClient;
import dev.robin.bench.load.CompletionRequestBody;
import dev.robin.bench.load.RequestResult;
import dev.robin.bench.metrics.MetricsPage;
import dev.robin.bench.structured.BenchSchemas.NamedSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Grammar compile times on the server itself: each schema is sent once in a one-token request, and the server's
 * {@code /metrics} read around it says how long compiling took (the compile histogram's sum) and whether it was a
 * cache hit or a miss; then the first schema again, which must be a hit and compile nothing.
 */
public final class CompileProbe {

  static final String COMPILE = "robin_model_grammar_compile_seconds";
  static final String HITS = "robin_model_grammar_cache_hits_total";
  static final String MISSES = "robin_model_grammar_cache_misses_total";

  /**
   * One schema's request.
   *
   * @param name the schema's name
   * @param repeated whether it was sent before (the cache's case)
   * @param compileMs the compile time the server recorded for it (0 when it compiled nothing)
   * @param hits grammar cache hits it caused
   * @param misses grammar cache misses (compilations) it caused
   * @param error why the request failed, or null
   */
  public record Compile(String name, boolean repeated, double compileMs, long hits, long misses, String error) {}

  private CompileProbe() {}

  public static List<Compile> run(
      HttpClient http, URI serverBase, CompletionClient client, String model, String prompt, List<NamedSchema> schemas)
      throws InterruptedException {
    List<Compile> results = new ArrayList<>();
    for (NamedSchema s : schemas) {
      results.add(one(http, serverBase, client, model, prompt, s, false));
    }
    if (!schemas.isEmpty()) {
      results.add(one(http, serverBase, client, model, prompt, schemas.get(0), true));
    }
    return results;
  }

  private static Compile one(HttpClient http, URI serverBase, CompletionClient client, String model, String prompt,
      NamedSchema s, boolean repeated) throws InterruptedException {
    Map<String, Double> before = MetricsPage.read(http, serverBase, model);
    RequestResult r = client.send(CompletionRequestBody.of(model, prompt, 1, false, s.name(), s.schema()));
    Map<String, Double> after = MetricsPage.read(http, serverBase, model);
    return new Compile(s.name(), repeated, 1000 * MetricsPage.delta(before, after, COMPILE + "_sum"),
        Math.round(MetricsPage.delta(before, after, HITS)), Math.round(MetricsPage.delta(before, after, MISSES)),
        r.succeeded() ? null : r.error());
  }
}
