package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.observation.SliObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SloStateStoreTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path dir;

  private static SloEngine engine() {
    SloSpec sli = new SloSpec("inventory", "inventory", "inv", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.99"), null, null,
        new Selector(Selector.Source.SLI, Map.of()), null, null);
    return new SloEngine(List.of(sli), List.of("primary"), CLOCK);
  }

  private static SliObservation sli(long good) {
    return new SliObservation(CLOCK.instant(), "inventory", "primary", "path-a", good, 1);
  }

  private long journaledLines() throws IOException {
    long n = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().startsWith("journal-")).toList()) {
        n += Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
      }
    }
    return n;
  }

  /** Events in the SLO's window, restored ones included. */
  private static long counted(SloEngine e) {
    return e.status("inventory", "primary").orElseThrow().total();
  }

  /** What a restart (after kill -9: no close) finds. */
  private SloEngine restored() throws IOException {
    SloEngine e = engine();
    SloStateStore again = SloStateStore.open(dir, e, o -> { }, FileOpener.system(), CLOCK);
    again.close();
    return e;
  }

  @Test
  void journalIsSyncedToDiskByGroupCommit() throws Exception {
    FullDisk disk = new FullDisk();
    SloStateStore store = SloStateStore.open(dir, engine(), o -> { }, disk, CLOCK);
    long before = disk.forces();
    for (int i = 0; i < 100; i++) {
      store.accept(sli(1));
    }
    // Forced, not only flushed: the writer's group commit calls FileChannel.force for the segment.
    await().atMost(Duration.ofSeconds(10)).until(() -> journaledLines() == 100 && disk.forces() > before);
    assertThat(counted(restored())).isEqualTo(100);
  }

  @Test
  void journalWriterSurvivesAFullDiskAndCatchesUpWhenSpaceReturns() throws Exception {
    FullDisk disk = new FullDisk();
    SloEngine engine = engine();
    SloStateStore store = SloStateStore.open(dir, engine, o -> { }, disk, CLOCK);
    store.accept(sli(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> journaledLines() == 1);

    disk.fill();
    for (int i = 0; i < 10; i++) {
      store.accept(sli(1));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> store.problem().isPresent());
    assertThat(store.problem().orElseThrow()).contains("No space left on device").contains(dir.toString());
    assertThat(store.writeFailures()).isPositive();
    assertThat(counted(engine)).as("judging goes on").isEqualTo(11);

    disk.free();
    await().atMost(Duration.ofSeconds(30)).until(() -> store.problem().isEmpty() && journaledLines() == 11);
    // The failed writes left no torn half line behind: every line reads back.
    assertThat(counted(restored())).isEqualTo(11);
    assertThat(store.dropped()).isZero();
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingAcceptOrSnapshot() throws Exception {
    FullDisk disk = new FullDisk();
    SloEngine engine = engine();
    SloStateStore store = SloStateStore.open(dir, engine, o -> { }, disk, CLOCK);
    disk.fill();
    int n = SloStateStore.QUEUE + SloStateStore.BATCH + 1_000;
    // Before, the writer died on the first IOException, the queue filled, snapshot() blocked in
    // queue.put holding the lock, and every accept() (event loops) blocked behind it.
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int i = 0; i < n; i++) {
        store.accept(sli(1));
      }
      assertThatThrownBy(store::snapshot).isInstanceOf(IOException.class).hasMessageContaining("No space");
      store.accept(sli(1));
    });
    assertThat(store.dropped()).isPositive();
    assertThat(counted(engine)).as("the engine counted every one").isEqualTo(n + 1);
    assertThat(store.problem().orElseThrow()).contains("snapshot failed");

    // Space returns: the next snapshot covers what the journal dropped, and a restart has it all.
    disk.free();
    store.snapshot();
    assertThat(counted(restored())).isEqualTo(n + 1);
  }

  @Test
  void aFailedSnapshotDeletesNoJournalSegment() throws Exception {
    FullDisk disk = new FullDisk();
    SloStateStore store = SloStateStore.open(dir, engine(), o -> { }, disk, CLOCK);
    for (int i = 0; i < 5; i++) {
      store.accept(sli(1));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> journaledLines() == 5);
    disk.fill();
    assertThatThrownBy(store::snapshot).isInstanceOf(IOException.class);
    assertThat(dir.resolve("snapshot.json.tmp")).doesNotExist();
    assertThat(journaledLines()).as("the segments the old snapshot needs are kept").isEqualTo(5);
    // kill -9 here: the old snapshot and the journal still give every observation, once.
    assertThat(counted(restored())).isEqualTo(5);
  }

  @Test
  void aSuccessfulSnapshotReplacesTheSegmentsItCovers() throws Exception {
    SloStateStore store = SloStateStore.open(dir, engine(), o -> { }, FileOpener.system(), CLOCK);
    for (int i = 0; i < 5; i++) {
      store.accept(sli(1));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> journaledLines() == 5);
    store.snapshot();
    assertThat(journaledLines()).isZero();
    store.accept(sli(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> journaledLines() == 1);
    assertThat(counted(restored())).isEqualTo(6);
  }
}
