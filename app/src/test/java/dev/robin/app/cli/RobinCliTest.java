package dev.robin.app.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bin/robin} has every subcommand, and bad options are usage errors that say why. */
class RobinCliTest {

  @Test
  void benchAndItsSubcommandsAreRegistered() {
    CommandLine bench = RobinCli.commandLine().getSubcommands().get("bench");
    assertTrue(bench != null, "bench is a subcommand");
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
}
