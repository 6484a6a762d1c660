package dev.tandem.bench.collectors;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends OTLP/HTTP protobuf trace batches to a receiver in another process and prints what it
 * accepted.
 *
 * <pre>
 * java -cp benchmarks.jar dev.tandem.bench.collectors.LoadGenerator [--port 4318] [--seconds 30]
 *     [--warmup 10] [--rate 0] [--connections 8] [--batch 512]
 * </pre>
 *
 * {@code --rate 0} is a closed loop: each connection sends its next batch when the last is
 * answered (the most the receiver sustains). {@code --rate N} offers N spans a second whatever
 * the answers (open loop, for overload runs); batches that find every connection busy are
 * counted as not sent. Every span is unique (trace and span ids patched into a serialized
 * template, so the generator spends little CPU on the shared machine): 80% SERVER spans over
 * 4 services x 20 routes with five attributes each, 1% of them ERROR, 20% CLIENT spans.
 * Shed (429) batches are counted, not retried.
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args, Map.of("port", "4318", "host", "127.0.0.1", "seconds", "30",
        "warmup", "10", "rate", "0", "connections", "8", "batch", "512"));
    int port = Integer.parseInt(options.get("port"));
    String host = options.get("host");
    long seconds = Long.parseLong(options.get("seconds"));
    long warmup = Long.parseLong(options.get("warmup"));
    long rate = Long.parseLong(options.get("rate"));
    int connections = Integer.parseInt(options.get("connections"));
    int batch = Integer.parseInt(options.get("batch"));

    Template[] templates = new Template[4];
    for (int service = 0; service < templates.length; service++) {
      templates[service] = Template.create("service-" + service, batch);
    }
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(connections));
    Counters counters = new Counters();
    AtomicInteger inFlight = new AtomicInteger();
    long[] sequence = {ThreadLocalRandom.current().nextLong() & (0x7fffffffffffL << 16)};
    long[] requestNumber = {0};
    long startNanos = System.nanoTime();
    long measureFrom = startNanos + warmup * 1_000_000_000L;
    long endNanos = measureFrom + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(1);

    Runnable[] sendOne = new Runnable[1];
    sendOne[0] = () -> {
      long now = System.nanoTime();
      if (now >= endNanos) {
        return;
      }
      Template template = templates[(int) (requestNumber[0]++ & 3)];
      byte[] body = template.next(sequence[0]);
      sequence[0] += batch;
      boolean measured = now >= measureFrom;
      inFlight.incrementAndGet();
      long sent = System.nanoTime();
      client.request(HttpMethod.POST, port, host, "/v1/traces")
          .compose(request -> request.putHeader("Content-Type", "application/x-protobuf").send(Buffer.buffer(body)))
          .compose(response -> response.body().map(ignored -> response.statusCode()))
          .onComplete(result -> {
            inFlight.decrementAndGet();
            if (measured) {
              counters.record(result.succeeded() ? result.result() : -1, batch, System.nanoTime() - sent);
            }
            if (rate == 0) {
              sendOne[0].run();
            }
          });
    };

    if (rate == 0) {
      for (int i = 0; i < connections; i++) {
        vertx.runOnContext(v -> sendOne[0].run());
      }
    } else {
      // Open loop: every 10 ms, offer what is due; at most two batches waiting per connection.
      double batchesPerTick = rate / 100.0 / batch;
      double[] owed = {0};
      vertx.setPeriodic(10, id -> {
        owed[0] += batchesPerTick;
        while (owed[0] >= 1) {
          owed[0] -= 1;
          if (inFlight.get() >= connections * 2) {
            if (System.nanoTime() >= measureFrom) {
              counters.notSent.add(batch);
            }
          } else {
            sendOne[0].run();
          }
        }
      });
    }
    long[] lastReport = {System.nanoTime(), 0, 0};
    vertx.setPeriodic(5000, id -> {
      long now = System.nanoTime();
      double elapsed = (now - lastReport[0]) / 1e9;
      long accepted = counters.acceptedSpans.sum();
      long shed = counters.shedSpans.sum();
      System.out.printf(Locale.ROOT, "t=%4.0fs %s accepted=%9.0f spans/s shed=%9.0f spans/s%n",
          (now - startNanos) / 1e9, now < measureFrom ? "(warm-up)" : "         ",
          (accepted - lastReport[1]) / elapsed, (shed - lastReport[2]) / elapsed);
      lastReport[0] = now;
      lastReport[1] = accepted;
      lastReport[2] = shed;
      if (now >= endNanos + 2_000_000_000L) {
        done.countDown();
      }
    });
    done.await();
    counters.print(seconds, batch, rate, connections);
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** A serialized batch of one service's spans whose ids are rewritten for every request. */
  private static final class Template {
    private final byte[] bytes;
    private final int[] traceIdAt;
    private final int[] spanIdAt;

    private Template(byte[] bytes, int[] traceIdAt, int[] spanIdAt) {
      this.bytes = bytes;
      this.traceIdAt = traceIdAt;
      this.spanIdAt = spanIdAt;
    }

    static Template create(String service, int batch) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.vertx-http").setVersion("1.0"));
      long base = 1_764_151_200_000_000_000L;
      for (int i = 0; i < batch; i++) {
        boolean server = i % 5 != 4;
        String route = "/api/v1/" + service + "/r" + (i % 20) + "/{id}";
        int status = i % 100 == 7 ? 503 : 200;
        scope.addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(marker(0x7E, i, 16)))
            .setSpanId(ByteString.copyFrom(marker(0x5E, i, 8)))
            .setName((server ? "GET " : "SELECT ") + route)
            .setKind(server ? Span.SpanKind.SPAN_KIND_SERVER : Span.SpanKind.SPAN_KIND_CLIENT)
            .setStartTimeUnixNano(base + i * 1_000_000L)
            .setEndTimeUnixNano(base + i * 1_000_000L + 12_345_678L)
            .addAttributes(attribute("http.request.method", "GET"))
            .addAttributes(attribute("http.route", route))
            .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(status)))
            .addAttributes(attribute("url.path", route.replace("{id}", Integer.toString(1000 + i))))
            .addAttributes(attribute("server.address", service + ".internal"))
            .setStatus(Status.newBuilder().setCode(status >= 500
                ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_UNSET)));
      }
      byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(attribute("service.name", service))
              .addAttributes(attribute("tandem.cloud", "primary")))
          .addScopeSpans(scope)).build().toByteArray();
      int[] traceIdAt = new int[batch];
      int[] spanIdAt = new int[batch];
      for (int i = 0; i < batch; i++) {
        traceIdAt[i] = indexOf(bytes, marker(0x7E, i, 16));
        spanIdAt[i] = indexOf(bytes, marker(0x5E, i, 8));
      }
      return new Template(bytes, traceIdAt, spanIdAt);
    }

    /** A copy with span i's ids set from {@code sequence + i}: unique across the run. */
    byte[] next(long sequence) {
      byte[] copy = Arrays.copyOf(bytes, bytes.length);
      for (int i = 0; i < traceIdAt.length; i++) {
        long id = sequence + i;
        writeLong(copy, traceIdAt[i] + 8, id);
        writeLong(copy, spanIdAt[i], id * 0x9E3779B97F4A7C15L | 1);
      }
      return copy;
    }

    private static byte[] marker(int tag, int index, int length) {
      byte[] marker = new byte[length];
      Arrays.fill(marker, (byte) tag);
      marker[1] = (byte) (index >>> 8);
      marker[2] = (byte) index;
      return marker;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
      outer:
      for (int i = 0; i + needle.length <= haystack.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (haystack[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      throw new IllegalStateException("marker not found");
    }

    private static void writeLong(byte[] bytes, int at, long value) {
      for (int i = 7; i >= 0; i--) {
        bytes[at + i] = (byte) value;
        value >>>= 8;
      }
    }

    private static KeyValue attribute(String key, String value) {
      return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
  }

  /** What came back over the measured interval. */
  private static final class Counters {
    final LongAdder acceptedSpans = new LongAdder();
    final LongAdder shedSpans = new LongAdder();
    final LongAdder otherSpans = new LongAdder();
    final LongAdder notSent = new LongAdder();
    final LongAdder requests = new LongAdder();
    final long[] latencyMicros = new long[1 << 20];
    final AtomicInteger latencies = new AtomicInteger();

    void record(int status, int spans, long nanos) {
      requests.increment();
      if (status == 200) {
        acceptedSpans.add(spans);
      } else if (status == 429 || status == 503) {
        shedSpans.add(spans);
      } else {
        otherSpans.add(spans);
      }
      int slot = latencies.getAndIncrement();
      if (slot < latencyMicros.length) {
        latencyMicros[slot] = nanos / 1000;
      }
    }

    void print(long seconds, int batch, long rate, int connections) {
      int n = Math.min(latencies.get(), latencyMicros.length);
      long[] sorted = Arrays.copyOf(latencyMicros, n);
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "summary batch=%d connections=%d offered=%s seconds=%d%n", batch, connections,
          rate == 0 ? "closed-loop" : rate + " spans/s", seconds);
      System.out.printf(Locale.ROOT, "  accepted %.0f spans/s (%d requests), shed (429/503) %.0f spans/s, "
              + "other failures %.0f spans/s, not sent (client busy) %.0f spans/s%n",
          acceptedSpans.sum() / (double) seconds, requests.sum(), shedSpans.sum() / (double) seconds,
          otherSpans.sum() / (double) seconds, notSent.sum() / (double) seconds);
      if (n > 0) {
        System.out.printf(Locale.ROOT, "  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
            sorted[n / 2] / 1000.0, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1000.0, sorted[n - 1] / 1000.0);
      }
    }
  }
}
