package dev.robin.api.config;

/** The version reported by {@code /health} and in {@code system_fingerprint}. */
public final class RobinVersion {

  public static final String VERSION = "0.1.0";

  private RobinVersion() {}
}
