package dev.robin.cli;

import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/robin}: the one entry point. Subcommands of other modules (the benchmark's {@code bench})
 * register themselves through {@link java.util.ServiceLoader} on {@link RobinSubcommand}.
 */
@Command(
    name = "robin",
    mixinStandardHelpOptions = true,
    version = "Robin 0.1.0",
    description = "Actor-based, high-throughput LLM inference server speaking the OpenAI API.",
    subcommands = {CommandLine.HelpCommand.class, ServeCommand.class, GenerateCommand.class, MakeModelCommand.class})
public final class RobinCli {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree with every subcommand found on the classpath. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RobinCli());
    for (RobinSubcommand sub : ServiceLoader.load(RobinSubcommand.class)) {
      cli.addSubcommand(sub.name(), sub.command());
    }
    return cli;
  }
}
