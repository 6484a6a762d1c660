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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread against a stand-in database that can be switched off and that rejects bad
 * lines. Its time is a ticker moved by hand: a retry becomes due only when a test says so. (The
 * writer's real waits are capped at the flush interval, 20 ms here, so it sees a moved ticker
 * within that.) The tests offer whole batches (7 points), which ship at once: the moment a partial
 * batch starts to age is the writer's, not the test's, to choose.
 */
class InfluxWriterTest {
  @TempDir
  Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final InfluxMetrics metrics = new InfluxMetrics(registry);
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  /** With jitter 0.5, the n-th consecutive failure waits 3/4 of min(8 s, 1 s x 2^(n-1)). */
  private static final InfluxLimits FAST = InfluxLimits.defaults()
      .withBatch(1_000, 7, Duration.ofMillis(20))
      .withRetry(Duration.ofSeconds(1), Duration.ofSeconds(8));

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

  private InfluxWriter writer(LineSender db) throws IOException {
    return writer(db, FAST);
  }

  private InfluxWriter writer(LineSender db, InfluxLimits limits) throws IOException {
    InfluxWriter w = new InfluxWriter(db, dir, limits, metrics, () -> 0.5, now::get);
    w.start();
    return w;
  }

  private void advance(Duration by) {
    now.addAndGet(by.toNanos());
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
      lines(0, 49).forEach(l -> assertThat(w.offer(l)).isTrue());
      await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == 49);
      assertThat(metrics.spilled.count()).isEqualTo(49);
      assertThat(w.spillBytes()).isPositive();
      for (int i = 0; i < 3; i++) {
        int attempts = db.attempts.get();
        advance(FAST.retryMax());
        await().atMost(Duration.ofSeconds(10)).until(() -> db.attempts.get() == attempts + 1);
      }
      assertThat(db.stored).isEmpty();

      db.up = true;
      lines(49, 77).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == 77);
      assertThat(db.stored).as("nothing is written before the retry is due").isEmpty();
      advance(FAST.retryMax());
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 77);
      assertThat(db.stored).isEqualTo(lines(0, 77));
      assertThat(w.spillBytes()).isZero();
      assertThat(metrics.written.count()).isEqualTo(77);
      assertThat(metrics.retried.count()).isGreaterThanOrEqualTo(77);
      assertThat(metrics.droppedCount()).isZero();

      // Healthy again: new points go straight to the database.
      double spilledBefore = metrics.spilled.count();
      lines(77, 91).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 91);
      assertThat(metrics.spilled.count()).isEqualTo(spilledBefore);
    }
  }

  @Test
  void aRejectedPointIsDroppedAloneAndTheQueueMovesOn() throws IOException {
    StandIn db = new StandIn();
    try (InfluxWriter w = writer(db)) {
      List<String> sent = lines(0, 21);
      sent.set(3, "m BAD");
      sent.set(11, "m BAD too");
      sent.forEach(w::offer);
      List<String> good = new ArrayList<>(sent);
      good.removeIf(l -> l.contains("BAD"));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 19);
      assertThat(db.stored).isEqualTo(good);
      assertThat(metrics.dropped(InfluxMetrics.REJECTED).count()).isEqualTo(2);
      lines(99, 106).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.containsAll(lines(99, 106)));
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
    // Looked at before the writer's thread starts: once it runs, it sends the spill at once.
    try (InfluxWriter second = new InfluxWriter(up, dir, FAST, metrics, () -> 0.5, now::get)) {
      assertThat(second.spillPoints()).isEqualTo(30);
      second.start();
      lines(30, 37).forEach(second::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> up.stored.size() == 37);
      assertThat(up.stored).isEqualTo(lines(0, 37));
    }
  }

  @Test
  void aFullQueueRefusesWithoutBlocking() throws IOException {
    StandIn db = new StandIn();
    InfluxLimits tiny = FAST.withBatch(4, 2, Duration.ofHours(1));
    // Not started: nothing drains the queue.
    try (InfluxWriter w = new InfluxWriter(db, dir, tiny, metrics, () -> 0.5, now::get)) {
      assertThat(lines(0, 4)).allMatch(w::offer);
      assertThat(w.offer("m v=4i 4")).isFalse();
    }
  }

  @Test
  void aFailedWriteIsRetriedWhenItsBackoffIsDueAndNotBefore() throws IOException {
    StandIn db = new StandIn();
    db.up = false;
    try (InfluxWriter w = writer(db)) {
      int sent = 0;
      lines(sent, sent += 7).forEach(w::offer);
      await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == 7);
      assertThat(db.attempts.get()).isEqualTo(1);
      // 3/4 of 1 s, 2 s, 4 s, then of the 8 s ceiling.
      for (long waitMs : new long[] {750, 1_500, 3_000, 6_000, 6_000}) {
        int attempts = db.attempts.get();
        advance(Duration.ofMillis(waitMs - 1));
        // A full batch, spilled behind the others: the writer has seen the moved time.
        lines(sent, sent += 7).forEach(w::offer);
        int spilled = sent;
        await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == spilled);
        assertThat(db.attempts.get()).as("no attempt 1 ms before the backoff ends").isEqualTo(attempts);
        advance(Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> db.attempts.get() == attempts + 1);
      }

      db.up = true;
      advance(FAST.retryMax());
      int all = sent;
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == all);
      assertThat(db.stored).isEqualTo(lines(0, all));

      // Success reset the count: the next outage starts again at the shortest wait.
      db.up = false;
      lines(sent, sent += 7).forEach(w::offer);
      int spilled = sent - all;
      await().atMost(Duration.ofSeconds(10)).until(() -> w.spillPoints() == spilled);
      int attempts = db.attempts.get();
      advance(Duration.ofMillis(750));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.attempts.get() == attempts + 1);
    }
  }

  /** Stores what it is sent, but each write waits for the test to let it through. */
  static final class GatedStandIn implements LineSender {
    final List<String> stored = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger entered = new AtomicInteger();
    final Semaphore gate = new Semaphore(0);

    @Override
    public Result write(List<String> lines) {
      entered.incrementAndGet();
      gate.acquireUninterruptibly();
      stored.addAll(lines);
      return Result.OK;
    }

    @Override
    public String endpoint() {
      return "http://slow-stand-in:8086";
    }

    @Override
    public void close() {}
  }

  @Test
  void whileALargeSpillIsSentNewPointsAreTakenInAndNoneIsRefused() throws IOException {
    InfluxLimits limits = FAST.withBatch(100, 10, Duration.ofMillis(20));
    int spilledBatches = 20;
    List<String> old = lines(0, spilledBatches * 10);
    try (SpillBuffer earlier = SpillBuffer.open(dir, limits.spillBytes(), limits.segmentBytes(),
        new SpillBuffer.Listener() {
          @Override
          public void droppedAtBound(long points) {
            throw new AssertionError("bound reached");
          }

          @Override
          public void corruptTail(Path segment, long offset, long bytes) {
            throw new AssertionError("corrupt");
          }
        })) {
      for (int b = 0; b < spilledBatches; b++) {
        earlier.append(old.subList(b * 10, b * 10 + 10));
      }
    }

    GatedStandIn db = new GatedStandIn();
    List<String> offered = new ArrayList<>();
    InfluxWriter w = writer(db, limits);
    try {
      // Each round: the writer is in a slow write of the spill's head; half a queue's worth of
      // points arrives; the write ends. 20 rounds offer ten times what the queue holds.
      int next = old.size();
      for (int round = 0; round < spilledBatches; round++) {
        int entered = round + 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> db.entered.get() == entered);
        assertThat(w.queued()).as("the queue was moved to the spill before this write").isZero();
        for (String l : lines(next, next + 50)) {
          assertThat(w.offer(l)).as("offer of %s in round %d", l, round).isTrue();
          offered.add(l);
        }
        next += 50;
        db.gate.release();
      }
    } finally {
      db.gate.release(1_000_000);
      w.close();
    }
    List<String> all = new ArrayList<>(old);
    all.addAll(offered);
    assertThat(db.stored).as("everything arrived, the spill first, in order").isEqualTo(all);
    assertThat(w.spillPoints()).isZero();
    assertThat(metrics.droppedCount()).isZero();
  }
}
