package dev.robin.cli;

/**
 * A subcommand of {@code bin/robin}, found through {@link java.util.ServiceLoader} so that modules the CLI
 * does not depend on (benchmarks) can add theirs.
 */
public interface RobinSubcommand {

  /** The word that selects it, e.g. {@code serve}. */
  String name();

  /** A picocli command object (annotated with {@code @Command}). */
  Object command();
}
