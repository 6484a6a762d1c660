package dev.tandem.server.storage;

import java.util.Optional;

/**
 * What a background disk writer tells {@code /metrics} and {@code /readyz}: a writer never makes
 * its callers wait for the disk, so when the disk fails, this is where it shows.
 */
public interface WriterHealth {
  /** A short lowercase name for metric tags: {@code journal}, {@code audit}, {@code recording}, {@code outbox}. */
  String writer();

  /** Lines or events given up for good (the queue was at its bound). */
  long dropped();

  /** Write attempts that failed (each retried with backoff). */
  long writeFailures();

  /** Why the writer cannot write now (one sentence), or empty while it can. */
  Optional<String> problem();
}
