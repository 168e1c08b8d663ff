package dev.robin.engine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** Devices as operators write them, and as DJL prints them, name the same device. */
class DeviceNamesTest {

  @Test
  void everyUsualSpellingParses() {
    assertEquals(Device.cpu(), EngineOptions.parseDevice("cpu"));
    assertEquals(Device.cpu(), EngineOptions.parseDevice(" CPU() "));
    assertEquals(Device.gpu(), EngineOptions.parseDevice("gpu"));
    assertEquals(Device.gpu(), EngineOptions.parseDevice("cuda"));
    for (String name : new String[] {"gpu1", "gpu(1)", "gpu:1", "cuda:1", "GPU(1)"}) {
      assertEquals(Device.gpu(1), EngineOptions.parseDevice(name), name);
    }
    assertEquals(Device.gpu(1), EngineOptions.parseDevice(Device.gpu(1).toString()), "DJL's own rendering");
  }

  @Test
  void anythingElseIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineOptions.parseDevice("tpu"));
    assertEquals(true, e.getMessage().contains("\"tpu\""), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EngineOptions.parseDevice("gpu-1"));
  }
}
