package dev.robin.serving.replica;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;

/** The repository's real conf/application.conf (read from the module directory), for actor tests. */
public final class RobinTestConfig {

  private RobinTestConfig() {}

  public static Config load(String overrides) {
    File conf = new File("../conf/application.conf");
    if (!conf.isFile()) {
      throw new IllegalStateException("conf/application.conf not found from " + new File(".").getAbsolutePath());
    }
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseFile(conf))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
