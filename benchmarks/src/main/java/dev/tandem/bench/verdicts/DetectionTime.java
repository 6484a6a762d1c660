package dev.tandem.bench.verdicts;

import dev.tandem.bench.demo.DemoConfig;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Detection time of a full outage of the active cloud, live: the demo's journeys, simulator and
 * engine in this process with 10-second probes and a 30-second hold-down, a local PagerDuty
 * stand-in, and the cloud-outage fault injected after a healthy baseline. Prints the seconds from
 * the fault to FAILOVER and to the first page.
 *
 * <p>Run from the repository root: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tandem.bench.verdicts.DetectionTime [probeSeconds] [holdDownSeconds]}
 */
public final class DetectionTime {
  private DetectionTime() {}

  public static void main(String[] args) throws Exception {
    int probe = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int holdDown = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    Path dir = Files.createTempDirectory("tandem-detection");
    Vertx vertx = Vertx.vertx();
    CompletableFuture<Long> firstPage = new CompletableFuture<>();
    HttpServer pagerDuty = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (b.toString().contains("\"critical\"")) {
        firstPage.complete(System.nanoTime());
      }
      req.response().setStatusCode(202).end("{\"status\":\"success\"}");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    Validation.Result valid = DemoConfig.copy(dir, yaml -> yaml
        .replace("intervalSeconds: 5", "intervalSeconds: " + probe)
        .replace("timeoutSeconds: 3", "timeoutSeconds: " + Math.min(5, probe))
        .replaceAll("holdDownSeconds: \\d+", "holdDownSeconds: " + holdDown)
        .replaceAll("probeWindowSeconds: \\d+", "probeWindowSeconds: " + Math.max(60, 6 * probe))
        .replaceAll("pathSilenceSeconds: \\d+", "pathSilenceSeconds: " + Math.max(15, 3 * probe))
        + "paging:\n  pagerduty: {url: \"http://127.0.0.1:" + pagerDuty.actualPort()
        + "/v2/enqueue\", routingKey: \"bench-routing-key-0123456789abcdef\"}\n");
    var cfg = valid.config().get().withEphemeralPorts();
    Demo running = Demo.start(vertx, cfg, valid.journeys(), valid.sloSpecs(), Clock.systemUTC(),
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    CompletableFuture<Long> failover = new CompletableFuture<>();
    running.node().engine().addListener((prev, next) -> {
      if (next.recommendation() == Recommendation.FAILOVER) {
        failover.complete(System.nanoTime());
      }
    });
    long baseline = Math.max(30, 3L * probe);
    System.out.printf("probes every %d s, hold-down %d s; healthy baseline %d s, then the primary fails%n",
        probe, holdDown, baseline);
    running.play(Scenario.CLOUD_OUTAGE, Duration.ofSeconds(baseline));
    long injected = System.nanoTime() + TimeUnit.SECONDS.toNanos(baseline);
    long atFailover = failover.get(baseline + 5L * holdDown + 20L * probe, TimeUnit.SECONDS);
    long atPage = firstPage.get(60, TimeUnit.SECONDS);
    System.out.printf("outage -> FAILOVER: %.1f s%n", (atFailover - injected) / 1e9);
    System.out.printf("outage -> first page (critical): %.1f s%n", (atPage - injected) / 1e9);
    running.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
