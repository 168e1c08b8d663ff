package dev.robin.app.cli;

import dev.robin.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/robin}: the one entry point, with every subcommand. */
@Command(
    name = "robin",
    mixinStandardHelpOptions = true,
    version = "Robin 0.1.0",
    description = "Actor-based, high-throughput LLM inference server speaking the OpenAI API.",
    subcommands = {
      CommandLine.HelpCommand.class,
      ServeCommand.class,
      GenerateCommand.class,
      MakeModelCommand.class,
      BenchCommand.class
    })
public final class RobinCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree. */
  public static CommandLine commandLine() {
    return new CommandLine(new RobinCli());
  }
}
