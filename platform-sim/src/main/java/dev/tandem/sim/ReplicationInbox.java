package dev.tandem.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The changes shipped from the active cloud to a standby, waiting to be applied after the
 * replication delay. The active cloud's event loop offers, the standby's drains.
 *
 * <p>Bounded at {@link #CAPACITY}: at the bound the oldest change is dropped and counted, as a
 * replica that fell that far behind would need a resync.
 */
final class ReplicationInbox {
  static final int CAPACITY = 10_000;

  private final ConcurrentLinkedQueue<Change> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  void offer(Change change) {
    queue.add(change);
    if (size.incrementAndGet() > CAPACITY && queue.poll() != null) {
      size.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  /**
   * Hands every change written at least {@code delay} before {@code now} to {@code apply}, oldest
   * first, and returns the last one handed over, or null if none was due.
   */
  Change drainDue(Instant now, Duration delay, Consumer<Change> apply) {
    Instant dueBefore = now.minus(delay);
    Change last = null;
    Change head;
    while ((head = queue.peek()) != null && !head.writtenAt().isAfter(dueBefore)) {
      if (queue.poll() == null) {
        break;
      }
      size.decrementAndGet();
      apply.accept(head);
      last = head;
    }
    return last;
  }

  int size() {
    return size.get();
  }

  long dropped() {
    return dropped.get();
  }
}
