package dev.tandem.server.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.paging.PageAction;
import dev.tandem.engine.paging.PageEvent;
import dev.tandem.engine.paging.PageSeverity;
import dev.tandem.engine.paging.Routing;
import dev.tandem.server.paging.PagingOutbox.Admission;
import dev.tandem.server.storage.FullDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagingOutboxTest {
  @TempDir
  Path dir;

  private static PageEvent event(String key, PageAction action, PageSeverity severity) {
    return new PageEvent(action, Routing.SERVICE, key, "summary " + key, "primary", severity,
        Instant.parse("2026-11-26T10:00:00Z"), null, null, null, Map.of());
  }

  private static boolean accepted(PagingOutbox o, PageEvent e) throws Exception {
    return o.accept(e).get().entry().isPresent();
  }

  @Test
  void atTheBoundLowSeveritiesAreRefusedFirst() throws Exception {
    try (PagingOutbox o = PagingOutbox.open(dir.resolve("outbox.jsonl"), 10)) {
      for (int i = 0; i < 8; i++) {
        assertThat(accepted(o, event("w" + i, PageAction.TRIGGER, PageSeverity.WARNING))).isTrue();
      }
      assertThat(accepted(o, event("w8", PageAction.TRIGGER, PageSeverity.WARNING))).as("warning at 80%").isFalse();
      assertThat(accepted(o, event("e0", PageAction.TRIGGER, PageSeverity.ERROR))).isTrue();
      assertThat(accepted(o, event("e1", PageAction.TRIGGER, PageSeverity.ERROR))).as("error at 95%").isFalse();
      assertThat(accepted(o, event("c0", PageAction.TRIGGER, PageSeverity.CRITICAL))).isTrue();
      assertThat(accepted(o, event("c1", PageAction.TRIGGER, PageSeverity.CRITICAL))).as("critical at 100%").isFalse();
      // The resolve of a refused trigger is dropped too: PagerDuty never heard of that incident.
      o.delivered(1).get();
      assertThat(accepted(o, event("w8", PageAction.RESOLVE, PageSeverity.WARNING))).isFalse();
      assertThat(accepted(o, event("w0", PageAction.RESOLVE, PageSeverity.WARNING))).isTrue();
      assertThat(o.refused()).isEqualTo(4);
    }
  }

  @Test
  void reopeningKeepsPendingEventsAndOpenIncidentsAndSkipsATornLine() throws Exception {
    Path file = dir.resolve("outbox.jsonl");
    try (PagingOutbox o = PagingOutbox.open(file, 100)) {
      assertThat(o.accept(event("a", PageAction.TRIGGER, PageSeverity.CRITICAL)).get().admission())
          .isEqualTo(Admission.WRITTEN);
      o.accept(event("b", PageAction.TRIGGER, PageSeverity.ERROR)).get();
      o.delivered(1).get();
    }
    Files.writeString(file, Files.readString(file) + "{\"op\":\"event\",\"seq\":9,\"rout", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    try (PagingOutbox o = PagingOutbox.open(file, 100)) {
      assertThat(o.pending()).extracting(PagingOutbox.Entry::dedupKey).containsExactly("b");
      assertThat(o.openIncidents()).extracting(i -> i.dedupKey()).containsExactly("a", "b");
      assertThat(o.accept(event("c", PageAction.TRIGGER, PageSeverity.ERROR)).get().entry().orElseThrow().seq())
          .isEqualTo(3);
    }
  }

  @Test
  void withTheDiskFullEventsAreHeldInMemoryAndWrittenOnceSpaceReturns() throws Exception {
    Path file = dir.resolve("outbox.jsonl");
    FullDisk disk = new FullDisk();
    try (PagingOutbox o = PagingOutbox.open(file, 100, disk, Clock.systemUTC())) {
      o.accept(event("before", PageAction.TRIGGER, PageSeverity.CRITICAL)).get();
      disk.fill();
      PagingOutbox.Acceptance held = o.accept(event("during", PageAction.TRIGGER, PageSeverity.CRITICAL)).get();
      assertThat(held.admission()).isEqualTo(Admission.HELD);
      assertThat(held.entry()).isPresent();
      assertThat(o.heldCount()).isEqualTo(1);
      assertThat(o.pendingCount()).as("still to be sent").isEqualTo(2);
      assertThat(o.problem().orElseThrow()).contains("No space left on device").contains("1 accepted events are held");
      assertThat(o.writeFailures()).isPositive();
      // A restart now would not know the held event (it is not on disk), nor a half line of it.
      Files.copy(file, dir.resolve("copy.jsonl"));
      try (PagingOutbox copy = PagingOutbox.open(dir.resolve("copy.jsonl"), 100)) {
        assertThat(copy.pending()).extracting(PagingOutbox.Entry::dedupKey).containsExactly("before");
      }

      disk.free();
      await().atMost(Duration.ofSeconds(30)).until(() -> o.heldCount() == 0 && o.problem().isEmpty());
      assertThat(o.accept(event("after", PageAction.TRIGGER, PageSeverity.CRITICAL)).get().admission())
          .isEqualTo(Admission.WRITTEN);
    }
    try (PagingOutbox o = PagingOutbox.open(file, 100)) {
      assertThat(o.pending()).extracting(PagingOutbox.Entry::dedupKey).containsExactly("before", "during", "after");
    }
  }

  @Test
  void anEventSettledWhileHeldLeavesOnlyItsIncidentStateBehind() throws Exception {
    Path file = dir.resolve("outbox.jsonl");
    FullDisk disk = new FullDisk();
    try (PagingOutbox o = PagingOutbox.open(file, 100, disk, Clock.systemUTC())) {
      disk.fill();
      PagingOutbox.Entry trigger = o.accept(event("x", PageAction.TRIGGER, PageSeverity.CRITICAL)).get().entry()
          .orElseThrow();
      o.delivered(trigger.seq()).get();
      assertThat(o.pendingCount()).isZero();
      disk.free();
      await().atMost(Duration.ofSeconds(30)).until(() -> o.problem().isEmpty()
          && Files.readString(file).contains("\"op\":\"open\""));
    }
    try (PagingOutbox o = PagingOutbox.open(file, 100)) {
      assertThat(o.pending()).as("delivered: never sent again").isEmpty();
      assertThat(o.openIncidents()).as("but still open, so it is resolved later").extracting(i -> i.dedupKey())
          .containsExactly("x");
    }
  }

  @Test
  void aSettledEventIsNoLongerPending() throws Exception {
    try (PagingOutbox o = PagingOutbox.open(dir.resolve("outbox.jsonl"), 100)) {
      long seq = o.accept(event("a", PageAction.TRIGGER, PageSeverity.CRITICAL)).get().entry().orElseThrow().seq();
      assertThat(o.isPending(seq)).isTrue();
      o.rejected(seq, 400).get();
      assertThat(o.isPending(seq)).isFalse();
    }
  }
}
