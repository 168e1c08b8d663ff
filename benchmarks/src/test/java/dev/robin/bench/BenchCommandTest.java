package dev.robin.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.robin.cli.RobinCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bin/robin bench} is found through ServiceLoader, with its subcommands and checked options. */
class BenchCommandTest {

  @Test
  void benchAndItsSubcommandsAreRegistered() {
    CommandLine bench = RobinCli.commandLine().getSubcommands().get("bench");
    assertTrue(bench != null, "bench is registered through META-INF/services");
    assertTrue(bench.getSubcommands().containsKey("engine"));
    assertTrue(bench.getSubcommands().containsKey("auth-overhead"));
  }

  @Test
  void badOptionsAreUsageErrorsThatSayWhy() {
    StringWriter err = new StringWriter();
    CommandLine cli = RobinCli.commandLine().setErr(new PrintWriter(err));
    int code = cli.execute("bench", "--url", "http://127.0.0.1:1", "--concurrency", "0,4");
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("--concurrency"), err.toString());

    err.getBuffer().setLength(0);
    code = cli.execute("bench", "engine", "--dtype", "bfloat16");
    assertNotEquals(0, code);
    assertTrue(err.toString().contains("bfloat16"), err.toString());
  }

  @Test
  void defaultRequestCountIsTwiceTheConcurrencyButAtLeastEight() {
    assertEquals(8, BenchCommand.defaultRequests(1));
    assertEquals(8, BenchCommand.defaultRequests(4));
    assertEquals(128, BenchCommand.defaultRequests(64));
  }
}
