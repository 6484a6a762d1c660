package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread against a stand-in database that can be switched off and that rejects bad lines. */
class InfluxWriterTest {
  @TempDir
  Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InfluxMetrics metrics = new InfluxMetrics(registry);
  private static final InfluxLimits FAST = InfluxLimits.defaults()
      .withBatch(1_000, 7, Duration.ofMillis(20))
      .withRetry(Duration.ofMillis(5), Duration.ofMillis(40));

  /** Stores what it is sent while up; a batch with a line containing BAD is rejected whole, like a 400. */
  static final class StandIn implements LineSender {
    final List<String> stored = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger attempts = new AtomicInteger();
    volatile boolean up = true;

    @Override
    public Result write(List<String> lines) {
      attempts.incrementAndGet();
      if (!up) {
        return new Result(Kind.RETRY, "unreachable: connection refused");
      }
      if (lines.stream().anyMatch(l -> l.contains("BAD"))) {
        return new Result(Kind.REJECTED, "HTTP 400: unable to parse");
      }
      stored.addAll(lines);
      return Result.OK;
    }

    @Override
    public String endpoint() {
      return "http://stand-in:8086";
    }

    @Override
    public void close() {}
  }

  private InfluxWriter writer(StandIn db) throws IOException {
    InfluxWriter w = new InfluxWriter(db, dir, FAST, metrics, () -> 0.5);
    w.start();
    return w;
  }

  private static List<String> lines(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("m v=" + i + "i " + i);
    }
    return out;
  }

  @Test
  void anOutageSpillsAndTheSpillArrivesInOrderBeforeNewerPoints() throws IOException {
    StandIn db = new StandIn();
    db.up = false;
    try (InfluxWriter w = writer(db)) {
      lines(0, 50).forEach(l -> assertThat(w.offer(l)).isTrue());
      await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == 50);
      assertThat(metrics.spilled.count()).isEqualTo(50);
      assertThat(w.spillBytes()).isPositive();
      int attemptsWhileDown = db.attempts.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> db.attempts.get() > attemptsWhileDown + 2);
      assertThat(db.stored).isEmpty();

      db.up = true;
      lines(50, 80).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 80);
      assertThat(db.stored).isEqualTo(lines(0, 80));
      assertThat(w.spillBytes()).isZero();
      assertThat(metrics.written.count()).isEqualTo(80);
      assertThat(metrics.retried.count()).isGreaterThanOrEqualTo(50);
      assertThat(metrics.droppedCount()).isZero();

      // Healthy again: new points go straight to the database.
      double spilledBefore = metrics.spilled.count();
      lines(80, 90).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 90);
      assertThat(metrics.spilled.count()).isEqualTo(spilledBefore);
    }
  }

  @Test
  void aRejectedPointIsDroppedAloneAndTheQueueMovesOn() throws IOException {
    StandIn db = new StandIn();
    try (InfluxWriter w = writer(db)) {
      List<String> sent = lines(0, 20);
      sent.set(3, "m BAD");
      sent.set(11, "m BAD too");
      sent.forEach(w::offer);
      List<String> good = new ArrayList<>(sent);
      good.removeIf(l -> l.contains("BAD"));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 18);
      assertThat(db.stored).isEqualTo(good);
      assertThat(metrics.dropped(InfluxMetrics.REJECTED).count()).isEqualTo(2);
      w.offer("m v=99i 99");
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.contains("m v=99i 99"));
    }
  }

  @Test
  void whatIsInMemoryAtCloseWhileTheDatabaseIsDownIsSentAtTheNextStart() throws IOException {
    StandIn down = new StandIn();
    down.up = false;
    InfluxWriter first = writer(down);
    lines(0, 30).forEach(first::offer);
    first.close();
    assertThat(down.stored).isEmpty();

    StandIn up = new StandIn();
    try (InfluxWriter second = writer(up)) {
      assertThat(second.spillPoints()).isEqualTo(30);
      second.offer("m v=30i 30");
      await().atMost(Duration.ofSeconds(10)).until(() -> up.stored.size() == 31);
      assertThat(up.stored).isEqualTo(lines(0, 31));
    }
  }

  @Test
  void aFullQueueRefusesWithoutBlocking() throws IOException {
    StandIn db = new StandIn();
    InfluxLimits tiny = FAST.withBatch(4, 2, Duration.ofHours(1));
    // Not started: nothing drains the queue.
    try (InfluxWriter w = new InfluxWriter(db, dir, tiny, metrics, () -> 0.5)) {
      assertThat(lines(0, 4)).allMatch(w::offer);
      assertThat(w.offer("m v=4i 4")).isFalse();
    }
  }
}
