package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.replay.VirtualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObservationRecorderTest {
  private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir
  Path dir;

  private static HeartbeatObservation at(int second) {
    return new HeartbeatObservation(T.plusSeconds(second), "path-a", "primary");
  }

  @Test
  void observationsArrivingOutOfOrderAreRecordedInTimeOrder() throws Exception {
    Path file = dir.resolve("obs.jsonl");
    ObservationRecorder recorder = new ObservationRecorder(file, new VirtualClock(T), Duration.ofSeconds(30));
    recorder.accept(at(10));
    recorder.accept(at(5));
    recorder.accept(at(7));
    recorder.close();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("10:00:05Z");
    assertThat(lines.get(1)).contains("10:00:07Z");
    assertThat(lines.get(2)).contains("10:00:10Z");
  }

  @Test
  void anObservationOlderThanWhatWasWrittenIsLeftOutAndCounted() throws Exception {
    Path file = dir.resolve("obs.jsonl");
    VirtualClock clock = new VirtualClock(T.plusSeconds(100));
    ObservationRecorder recorder = new ObservationRecorder(file, clock, Duration.ofSeconds(30));
    recorder.accept(at(60));
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(file).size() == 1);
    recorder.accept(at(50));
    recorder.close();
    assertThat(recorder.late()).isEqualTo(1);
    assertThat(Files.readAllLines(file)).hasSize(1);
  }
}
