package dev.tandem.server.paging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.paging.PageAction;
import dev.tandem.engine.paging.PageEvent;
import dev.tandem.engine.paging.PageSeverity;
import dev.tandem.engine.paging.Routing;
import java.nio.file.Files;
import java.nio.file.Path;
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
    return o.accept(e).get().isPresent();
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
      o.accept(event("a", PageAction.TRIGGER, PageSeverity.CRITICAL)).get();
      o.accept(event("b", PageAction.TRIGGER, PageSeverity.ERROR)).get();
      o.delivered(1).get();
    }
    Files.writeString(file, Files.readString(file) + "{\"op\":\"event\",\"seq\":9,\"rout", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    try (PagingOutbox o = PagingOutbox.open(file, 100)) {
      assertThat(o.pending()).extracting(PagingOutbox.Entry::dedupKey).containsExactly("b");
      assertThat(o.openIncidents()).extracting(i -> i.dedupKey()).containsExactly("a", "b");
      assertThat(o.accept(event("c", PageAction.TRIGGER, PageSeverity.ERROR)).get().orElseThrow().seq()).isEqualTo(3);
    }
  }
}
