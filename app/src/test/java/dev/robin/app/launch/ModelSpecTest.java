package dev.robin.app.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.robin.serving.config.EngineSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** robin.models: where each replica of each hosted model runs. */
class ModelSpecTest {

  private static List<ModelSpec> specs(String hocon) {
    Config config = ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return ModelSpec.allFrom(config, EngineSettings.from(config));
  }

  @Test
  void anIdPathStringHostsTheConfiguredNumberOfReplicasOnTheConfiguredDevice() {
    List<ModelSpec> specs = specs("robin.models = [\"stories=/m/stories260k\"], robin.engine.replicas = 2");
    assertEquals(List.of(new ModelSpec("stories", "/m/stories260k", List.of(Device.cpu(), Device.cpu()))), specs);
  }

  @Test
  void anObjectNamesEachReplicasDevice() {
    List<ModelSpec> specs = specs("""
        robin.models = [
          { id = "a", path = "synthetic:tiny", replicas = [{ device = "cpu" }, { device = "gpu(1)" }] }
          "b=/m/b"
        ]
        """);
    assertEquals(List.of(Device.cpu(), Device.gpu(1)), specs.get(0).devices());
    assertEquals("synthetic:tiny", specs.get(0).path());
    assertEquals(new ModelSpec("b", "/m/b", List.of(Device.cpu())), specs.get(1));
  }

  @Test
  void anObjectWithoutReplicasTakesTheDefaultsAndAnEmptyListHostsNone() {
    assertEquals(List.of(Device.cpu()), specs("robin.models = [{ id = a, path = /m/a }]").get(0).devices());
    assertEquals(List.of(), specs("robin.models = [{ id = a, path = /m/a, replicas = [] }]").get(0).devices());
    assertEquals(List.of(), specs("robin.models = []"));
  }

  @Test
  void theEnvironmentsCommaSeparatedFormWorks() {
    List<ModelSpec> specs = specs("robin.models = \"a=/m/a, b=synthetic:tiny\"");
    assertEquals(List.of("a", "b"), specs.stream().map(ModelSpec::id).toList());
  }

  @Test
  void mistakesAreNamed() {
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> specs("robin.models = [\"a=/x\", \"a=/y\"]"));
    assertTrue(twice.getMessage().contains("'a' is given twice"), twice.getMessage());
    IllegalArgumentException noPath = assertThrows(IllegalArgumentException.class,
        () -> specs("robin.models = [{ id = a }]"));
    assertTrue(noPath.getMessage().contains("robin.models"), noPath.getMessage());
    assertThrows(IllegalArgumentException.class, () -> specs("robin.models = [\"a=\"]"));
  }
}
