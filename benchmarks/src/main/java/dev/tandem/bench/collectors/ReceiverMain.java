package dev.tandem.bench.collectors;

import dev.tandem.collectors.OtlpHttpReceiver;
import dev.tandem.collectors.PathSettings;
import dev.tandem.collectors.ReceiverStats;
import dev.tandem.engine.observation.ObservationSink;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One path's OTLP receiver alone in its process, for the load generator to measure.
 *
 * <pre>
 * java -cp benchmarks.jar dev.tandem.bench.collectors.ReceiverMain [--port 4318] [--mode full|discard]
 *     [--seconds 0] [--report 5]
 * </pre>
 *
 * {@code full} runs the real pipeline (decode, dedup, translate, a counting sink);
 * {@code discard} gathers bodies and answers 200 without decoding: the transport's ceiling.
 * Prints one line every {@code --report} seconds and a summary at the end ({@code --seconds 0}:
 * until killed).
 */
public final class ReceiverMain {

  private ReceiverMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args, Map.of("port", "4318", "mode", "full", "seconds", "0", "report", "5"));
    int port = Integer.parseInt(options.get("port"));
    String mode = options.get("mode");
    long seconds = Long.parseLong(options.get("seconds"));
    long report = Long.parseLong(options.get("report"));
    if (!mode.equals("full") && !mode.equals("discard")) {
      throw new IllegalArgumentException("--mode must be full or discard, got " + mode);
    }
    Vertx vertx = Vertx.vertx();
    LongAdder observations = new LongAdder();
    ObservationSink sink = observation -> observations.increment();
    PathSettings settings = new PathSettings("path-a", "primary", "127.0.0.1", port, List.of(), Map.of());
    OtlpHttpReceiver receiver = mode.equals("full")
        ? OtlpHttpReceiver.create(settings, vertx, sink, Clock.systemUTC())
        : OtlpHttpReceiver.createDiscarding(settings, vertx);
    int bound = receiver.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.out.printf(Locale.ROOT, "receiver mode=%s port=%d pid=%d%n", mode, bound, ProcessHandle.current().pid());

    ReceiverStats stats = receiver.stats();
    long start = System.nanoTime();
    long[] last = {start, 0, 0, 0, 0};
    long[] maxRss = {rssKb()};
    CountDownLatch done = new CountDownLatch(1);
    vertx.setPeriodic(report * 1000, id -> {
      long now = System.nanoTime();
      long bytes = stats.bytesReceived();
      long requests = stats.requestsAccepted();
      long shed = stats.requestsShed();
      long spans = stats.spansAccepted(); // 0 in discard mode: nothing is decoded; the generator counts
      double elapsed = (now - last[0]) / 1e9;
      long rss = rssKb();
      maxRss[0] = Math.max(maxRss[0], rss);
      System.out.printf(Locale.ROOT, "t=%5.0fs accepted=%8.0f req/s spans(translated)=%9.0f/s shed=%6.0f/s wire=%6.1f MB/s "
              + "observations=%d rss=%d MiB heap=%d MiB%n",
          (now - start) / 1e9, (requests - last[1]) / elapsed, (spans - last[4]) / elapsed,
          (shed - last[2]) / elapsed, (bytes - last[3]) / elapsed / 1e6, observations.sum(), rss / 1024,
          (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
      last[0] = now;
      last[1] = requests;
      last[2] = shed;
      last[3] = bytes;
      last[4] = spans;
      if (seconds > 0 && now - start >= seconds * 1_000_000_000L) {
        done.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
    done.await();
    System.out.printf(Locale.ROOT, "summary mode=%s requestsAccepted=%d spansAccepted=%d shed=%d observations=%d maxRss=%d MiB stats=%s%n",
        mode, stats.requestsAccepted(), stats.spansAccepted(), stats.requestsShed(), observations.sum(),
        maxRss[0] / 1024, stats);
    receiver.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Resident set size in KiB, from /proc (Linux); -1 elsewhere. */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
