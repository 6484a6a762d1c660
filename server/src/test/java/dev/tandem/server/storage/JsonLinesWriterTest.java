package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesWriterTest {
  @TempDir
  Path dir;

  private List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void linesAreWrittenInOrderAndSynced() throws Exception {
    FullDisk disk = new FullDisk();
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesWriter w = new JsonLinesWriter(file, 100, "audit", Duration.ofMillis(50), disk, Clock.systemUTC())) {
      IntStream.range(0, 10).forEach(i -> w.append("{\"n\":" + i + "}"));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() == 10 && disk.forces() > 0);
    }
    assertThat(lines(file)).containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "{\"n\":" + i + "}").toList());
  }

  @Test
  void aFullDiskIsRetriedUntilSpaceReturnsWithoutLosingOrTearingALine() throws Exception {
    FullDisk disk = new FullDisk();
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesWriter w = new JsonLinesWriter(file, 100, "audit", Duration.ofMillis(50), disk, Clock.systemUTC())) {
      w.append("{\"n\":0}");
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(file).size() == 1);
      disk.fill();
      IntStream.range(1, 6).forEach(i -> w.append("{\"n\":" + i + "}"));
      await().atMost(Duration.ofSeconds(10)).until(() -> w.problem().isPresent());
      assertThat(w.problem().orElseThrow()).contains("No space left on device").contains("audit");
      assertThat(lines(file)).as("the half line the full disk took was cut back out").containsExactly("{\"n\":0}");
      disk.free();
      await().atMost(Duration.ofSeconds(30)).until(() -> w.problem().isEmpty() && lines(file).size() == 6);
      assertThat(w.writeFailures()).isPositive();
      assertThat(w.dropped()).isZero();
    }
    assertThat(lines(file)).containsExactlyElementsOf(IntStream.range(0, 6).mapToObj(i -> "{\"n\":" + i + "}").toList());
  }

  @Test
  void atTheBoundLinesAreDroppedAndCountedAndTheCallerNeverWaits() throws Exception {
    FullDisk disk = new FullDisk();
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesWriter w = new JsonLinesWriter(file, 10, "audit", Duration.ofMillis(50), disk, Clock.systemUTC())) {
      disk.fill();
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> IntStream.range(0, 5_000).forEach(i -> w.append("{}")));
      // At most the queue (10) and one batch held by the failing writer (10) wait; the rest are counted.
      assertThat(w.dropped()).isBetween(5_000L - 25, 5_000L - 10);
      disk.free();
      await().atMost(Duration.ofSeconds(30)).until(() -> w.problem().isEmpty() && lines(file).size() + w.dropped() == 5_000);
    }
  }
}
