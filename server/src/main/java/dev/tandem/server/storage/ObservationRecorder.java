package dev.tandem.server.storage;

import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ObservationSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every observation to the recording (CONTRACTS.md section 5), in time order as replay
 * requires. Observations arrive out of order (a probe step is stamped when it started and may
 * take seconds; results also come back over OTLP), so they wait in a reorder buffer for
 * {@code lateness} and are written oldest first. Bounds: at most {@code capacity} observations
 * wait; at the bound the oldest are written early. One that arrives after a later one was
 * already written would break the order: it is left out, counted ({@link #late()}) and a warning
 * says so (throttled). One stamped further ahead than the judge's clock skew bound is written at
 * once, where it arrived: replay then refuses it as the live engine did (it is too far ahead of
 * the lines around it), instead of taking it for an on-time result.
 */
public final class ObservationRecorder implements ObservationSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObservationRecorder.class);
  public static final Duration DEFAULT_LATENESS = Duration.ofSeconds(30);
  static final int CAPACITY = 200_000;

  private record Pending(Observation observation, long seq) {}

  private final JsonLinesWriter writer;
  private final ObservationCodec codec = new ObservationCodec();
  private final Clock clock;
  private final Duration lateness;
  private final Duration maxSkew;
  private final PriorityQueue<Pending> buffer = new PriorityQueue<>(
      Comparator.comparing((Pending p) -> p.observation().ts()).thenComparingLong(Pending::seq));
  private final ScheduledExecutorService flusher;
  private final AtomicLong late = new AtomicLong();
  private long seq;
  private Instant lastWritten = Instant.MIN;

  public ObservationRecorder(Path file, Clock clock, Duration lateness) throws IOException {
    this(file, clock, lateness, dev.tandem.engine.observation.ClockDiscipline.DEFAULT_MAX_SKEW);
  }

  public ObservationRecorder(Path file, Clock clock, Duration lateness, Duration maxSkew) throws IOException {
    this.writer = new JsonLinesWriter(file, JsonLinesWriter.DEFAULT_CAPACITY, "recording");
    this.clock = clock;
    this.lateness = lateness;
    this.maxSkew = maxSkew;
    this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tandem-recording-order");
      t.setDaemon(true);
      return t;
    });
    flusher.scheduleWithFixedDelay(() -> flush(clock.instant().minus(lateness)), 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void accept(Observation o) {
    if (dev.tandem.engine.observation.ClockDiscipline.tooFarAhead(o, clock.instant(), maxSkew)) {
      writer.append(codec.encode(o));
      return;
    }
    if (o.ts().isBefore(lastWritten)) {
      if (late.getAndIncrement() % 1000 == 0) {
        log.warn("recording: an observation of {} arrived after later ones were written; left out to keep the"
            + " log in time order ({} so far; raise the reorder delay if this recurs)", o.ts(), late.get());
      }
      return;
    }
    buffer.add(new Pending(o, seq++));
    while (buffer.size() > CAPACITY) {
      write(buffer.poll());
    }
  }

  /** The file writer: its drops, failures and problem go to {@code /metrics} and {@code /readyz}. */
  public WriterHealth health() {
    return writer;
  }

  /** Observations the recording left out because they came too late to keep it in order. */
  public long late() {
    return late.get();
  }

  private synchronized void flush(Instant upTo) {
    while (!buffer.isEmpty() && !buffer.peek().observation().ts().isAfter(upTo)) {
      write(buffer.poll());
    }
  }

  private void write(Pending p) {
    lastWritten = p.observation().ts();
    writer.append(codec.encode(p.observation()));
  }

  /** Writes everything still waiting, in order, then closes the file. */
  @Override
  public void close() {
    flusher.shutdownNow();
    flush(Instant.MAX);
    writer.close();
  }
}
