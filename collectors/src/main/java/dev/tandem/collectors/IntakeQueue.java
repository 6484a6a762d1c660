package dev.tandem.collectors;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bound on one path's work between receiving a request and answering it: how many requests
 * and how many body bytes it holds (gathering, waiting for a decode thread, being translated).
 * A request that would pass the bound is shed before its data is accepted (429 / UNAVAILABLE
 * with a retry delay), so nothing is ever accepted and then dropped. One per path: a flood on
 * one path fills only its own. Thread-safe and lock-free.
 */
final class IntakeQueue {

  /** What a shed client is told to wait before retrying, in seconds. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final int maxRequests;
  private final long maxBytes;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  IntakeQueue(int maxRequests, long maxBytes) {
    this.maxRequests = maxRequests;
    this.maxBytes = maxBytes;
  }

  /** Takes a place for one more request, or says there is none. Every true needs a {@link #leave}. */
  boolean tryEnter() {
    while (true) {
      int held = requests.get();
      if (held >= maxRequests || bytes.get() >= maxBytes) {
        return false;
      }
      if (requests.compareAndSet(held, held + 1)) {
        return true;
      }
    }
  }

  /** Holds {@code n} more body bytes; false (nothing held) if that would pass the bound. */
  boolean tryHold(long n) {
    while (true) {
      long held = bytes.get();
      if (held + n > maxBytes) {
        return false;
      }
      if (bytes.compareAndSet(held, held + n)) {
        return true;
      }
    }
  }

  /** Gives back one request's place and the bytes it held. */
  void leave(long heldBytes) {
    bytes.addAndGet(-heldBytes);
    requests.decrementAndGet();
  }

  int requests() {
    return requests.get();
  }

  long bytes() {
    return bytes.get();
  }
}
