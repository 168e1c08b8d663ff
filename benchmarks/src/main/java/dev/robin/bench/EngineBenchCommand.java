package dev.robin.bench;

import dev.robin.bench.engine.DecodeBenchmark;
import dev.robin.bench.engine.DecodeResult;
import dev.robin.bench.engine.MatmulFloor;
import dev.robin.bench.engine.RunnerFactory;
import dev.robin.bench.report.MachineInfo;
import dev.robin.bench.report.ReportWriter;
import dev.robin.bench.report.TextTable;
import dev.robin.engine.load.TorchThreads;
import dev.robin.engine.scheduler.ModelRunner;
import dev.robin.engine.synthetic.ModelLocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/robin bench engine}: decode-step time and tokens/s of the engine's model runner, in-process,
 * for each model × dtype × batch size.
 */
@Command(
    name = "engine",
    mixinStandardHelpOptions = true,
    description = "Decode steps timed directly on the engine's ModelRunner (no scheduler, actors or HTTP).")
public final class EngineBenchCommand implements Callable<Integer> {

  private static final Set<String> DTYPES = Set.of("float32", "float16");

  @Spec CommandSpec spec;

  @Option(names = "--model", split = ",", defaultValue = "synthetic:llama-25m,synthetic:llama-75m",
      description = "Model specs (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--dtype", split = ",", defaultValue = "float32,float16",
      description = "Weight and KV-cache types: float32, float16 (default: ${DEFAULT-VALUE}).")
  List<String> dtypes;

  @Option(names = "--batch", split = ",", defaultValue = "1,4,16,64", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--context", defaultValue = "128",
      description = "Tokens in each sequence's KV cache before the first step (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--warmup-steps", defaultValue = "5", description = "Untimed decode steps (default: ${DEFAULT-VALUE}).")
  int warmupSteps;

  @Option(names = "--steps", defaultValue = "30", description = "Timed decode steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--block-size", defaultValue = "16", description = "KV-cache block size (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(names = "--threads", defaultValue = "0",
      description = "PyTorch intra-op threads; 0 keeps PyTorch's default (one per core) (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--packed-gemm", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Projections through MKL's packed GEMM where the engine would use it (float32, CPU); "
          + "--no-packed-gemm measures PyTorch's linear instead (default: ${DEFAULT-VALUE}).")
  boolean packedGemm;

  @Option(names = "--out", defaultValue = "docs/bench-engine.json", description = "JSON report file (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--markdown", description = "Also print a Markdown section for docs/benchmarks.md.")
  boolean markdown;

  /** The JSON document of {@code bench engine}. */
  public record EngineReport(String benchmark, MachineInfo machine, String command, List<DecodeResult> results) {}

  @Override
  public Integer call() throws Exception {
    return ActionableFailures.run("bench engine", this::execute);
  }

  private Integer execute() throws Exception {
    for (String d : dtypes) {
      if (d.equals("bfloat16")) {
        throw new ParameterException(spec.commandLine(),
            "bfloat16 is not supported: DJL's PyTorch engine aborts the JVM on bfloat16 tensors (see docs)");
      }
      if (!DTYPES.contains(d)) {
        throw new ParameterException(spec.commandLine(), "unknown --dtype " + d + " (float32, float16)");
      }
    }
    if (context < 1 || steps < 1 || warmupSteps < 0 || blockSize < 1 || batches.stream().anyMatch(b -> b < 1)) {
      throw new ParameterException(spec.commandLine(),
          "--context, --steps, --block-size and --batch must be positive, --warmup-steps not negative");
    }
    if (threads < 0) {
      throw new ParameterException(spec.commandLine(), "--threads must not be negative");
    }
    MachineInfo machine = MachineInfo.collect(RobinHome.get());
    TorchThreads.configure(threads);
    int maxBatch = Collections.max(batches);
    int numBlocks = maxBatch * DecodeBenchmark.blocksPerSequence(context, warmupSteps, steps, blockSize);
    List<DecodeResult> results = new ArrayList<>();
    for (String model : models) {
      for (String dtype : dtypes) {
        System.err.printf("bench engine: opening %s in %s (%d KV blocks of %d)%n", model, dtype, numBlocks, blockSize);
        try (ModelRunner runner = RunnerFactory.open(model, dtype, numBlocks, blockSize, packedGemm);
            MatmulFloor floor = new MatmulFloor(ModelLocator.open(model, null).config(), dtype, packedGemm)) {
          DecodeBenchmark bench = new DecodeBenchmark(runner, context, warmupSteps, steps);
          for (int batch : batches) {
            DecodeResult r = bench.run(model, dtype, batch)
                .withMatmulFloorMs(floor.msPerStep(batch, warmupSteps, steps));
            System.err.printf(
                "bench engine:   batch %d: %.2f ms/step, %.1f tokens/s%n", batch, r.meanMsPerStep(), r.tokensPerSecond());
            results.add(r);
          }
        }
      }
    }
    EngineReport report = new EngineReport("engine-decode", machine, commandLine(), results);
    ReportWriter.write(report, out);
    System.out.print(table(results));
    if (markdown) {
      System.out.printf(
          "%nMeasured %s on %s.%n%n```sh%n%s%n```%n%n%s",
          report.machine().date(), report.machine().oneLine(), report.command(), table(results));
    }
    System.err.println("bench engine: wrote " + out.toAbsolutePath());
    return 0;
  }

  static String table(List<DecodeResult> results) {
    TextTable t = new TextTable(
        "Model", "dtype", "Batch", "ms/step mean", "ms/step p50", "ms/step p99", "tokens/s", "matmuls only ms");
    for (DecodeResult r : results) {
      t.row(r.model(), r.dtype(), r.batch(), r.meanMsPerStep(), r.msPerStep().p50(), r.msPerStep().p99(),
          r.tokensPerSecond(), r.matmulFloorMs());
    }
    return t.render();
  }

  private String commandLine() {
    return "bin/robin bench engine --model " + String.join(",", models) + " --dtype " + String.join(",", dtypes)
        + " --batch " + String.join(",", batches.stream().map(String::valueOf).toList()) + " --context " + context
        + " --warmup-steps " + warmupSteps + " --steps " + steps + " --block-size " + blockSize
        + (threads > 0 ? " --threads " + threads : "") + (packedGemm ? "" : " --no-packed-gemm");
  }
}
