package dev.robin.serving.replica;

import dev.robin.serving.config.SchedulerSettings;
import dev.robin.serving.stats.TokenRateWindow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import dev.robin.engine.scheduler.SchedulerConfig;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelSupportTest {

  @Test
  void replicaIdsRoundTripAndRejectGarbage() {
    ReplicaId id = ReplicaId.parse("org/model#v2#3");
    assertEquals("org/model#v2", id.modelId());
    assertEquals(3, id.replica());
    assertEquals("org/model#v2#3", id.entityId());
    assertThrows(IllegalArgumentException.class, () -> ReplicaId.parse("model"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaId.parse("model#"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaId.parse("#1"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaId.parse("model#x"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaId.parse("model#-1"));
  }

  @Test
  void tokenRateCoversTheLastMinute() {
    TokenRateWindow window = new TokenRateWindow();
    long second = 1_000_000_000L;
    long t0 = 5_000 * second;
    assertEquals(0.0, window.tokensPerSecond(t0));
    for (int s = 0; s < 10; s++) {
      window.record(100, t0 + s * second);
    }
    assertEquals(100.0, window.tokensPerSecond(t0 + 10 * second), 1e-9, "10 s of 100 tokens");
    assertEquals(1000.0 / 59, window.tokensPerSecond(t0 + 59 * second), 1e-9, "59 s since the first token");
    assertEquals(400.0 / 60, window.tokensPerSecond(t0 + 65 * second), 1e-9, "seconds 0..5 aged out");
    assertEquals(0.0, window.tokensPerSecond(t0 + 200 * second), "everything aged out");
  }

  @Test
  void schedulerSettingsComeFromTheRealConfig() {
    Config config = RobinTestConfig.load("");
    SchedulerConfig c = SchedulerSettings.fromConfig(config, 2048, Set.of(2));
    assertEquals(512, c.maxNumBatchedTokens());
    assertEquals(64, c.maxNumSeqs());
    assertEquals(64, c.maxPrefillTokensWhileDecoding());
    assertEquals(4, c.prefillTokensPerDecodingSequence());
    assertEquals(64, c.prefillTokensWhileDecoding(16), "few streams: the floor");
    assertEquals(256, c.prefillTokensWhileDecoding(64), "many streams: 4 per stream");
    assertEquals(256, c.maxNumWaiting());
    assertEquals(16, c.blockSize());
    assertEquals(2048, c.maxModelLen(), "0 takes the model's context");
    assertEquals(Set.of(2), c.eosTokenIds());
    SchedulerConfig shorter =
        SchedulerSettings.fromConfig(RobinTestConfig.load("robin.engine.scheduler.max-model-len = 100"), 2048, Set.of());
    assertEquals(100, shorter.maxModelLen());
    assertEquals("PinnedDispatcher", config.getString(ModelActor.DISPATCHER + ".type"));
  }

  @Test
  void badSchedulerSettingsNameTheirKey() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> SchedulerSettings.fromConfig(
            RobinTestConfig.load("robin.engine.scheduler.max-prefill-tokens-while-decoding = 0"), 2048, Set.of()));
    assertEquals("robin.engine.scheduler.max-prefill-tokens-while-decoding must be positive, got 0", e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> SchedulerSettings.fromConfig(
            RobinTestConfig.load("robin.engine.scheduler.prefill-tokens-per-decoding-sequence = -1"), 2048, Set.of()));
    assertEquals("robin.engine.scheduler.prefill-tokens-per-decoding-sequence must not be negative, got -1",
        e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> SchedulerSettings.fromConfig(
            RobinTestConfig.load("robin.engine.scheduler.max-num-seqs = 1024"), 2048, Set.of()));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().startsWith("robin.engine.scheduler: maxNumSeqs (1024) must not exceed"), e.getMessage());
  }
}
