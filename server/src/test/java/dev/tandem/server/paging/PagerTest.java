package dev.tandem.server.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.paging.PagingPolicy;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.storage.FileOpener;
import dev.tandem.server.storage.FullDisk;
import io.vertx.ext.web.client.WebClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy, durable outbox and sender together, against a local Events v2 receiver that checks the rules. */
class PagerTest {
  static final String SERVICE_KEY = "svc-key-0123456789abcdef0123456789ab";
  static final String OBS_KEY = "obs-key-0123456789abcdef0123456789ab";
  static final String D = "order-platform";
  static final String SLO = "inventory-api-availability";
  static final String CW = "tandem/order-platform/primary/CLOUD_WIDE";
  // Short backoffs, but a request timeout long enough that a loaded machine's stall is not taken
  // for a lost request (a retry after a timeout delivers twice, which tests counting deliveries see).
  static final SenderSettings FAST = new SenderSettings(120, 10, Duration.ofMillis(50), Duration.ofSeconds(3), 4,
      Duration.ofSeconds(10), Duration.ofMillis(25));

  @TempDir
  Path dir;
  private Vertx vertx;
  private EventsV2Receiver receiver;
  private final List<Pager> pagers = new ArrayList<>();
  private final List<String> audit = Collections.synchronizedList(new ArrayList<>());
  private final ObjectMapper json = new ObjectMapper();
  private SimpleMeterRegistry registry;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = new EventsV2Receiver(vertx).start(0);
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void stop() throws Exception {
    pagers.forEach(Pager::close);
    receiver.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** No hold-down: an SLO page is sent in the round it fires (these tests are about delivery). */
  static EngineSpec spec() {
    return new EngineSpec(new ObserverIdentity("obs-test", "primary"), List.of("primary", "secondary"),
        List.of(new DomainSpec(D, "primary", "secondary", 60, "db.replication.lag", List.of("order-to-invoice"),
            List.of(SLO))),
        List.of(new VantageSpec("ext-1", "third-party", "eu")), List.of(new PathSpec("path-a", "primary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ZERO, 2, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60)));
  }

  static Verdict verdict(Recommendation rec, String primary, String secondary) {
    Map<String, CloudAssessment> clouds = new LinkedHashMap<>();
    List<Evidence> ev = primary.endsWith("/VANTAGE")
        ? List.of(new Evidence(Evidence.PROBE, "ext-1 fails significantly more often than the others",
            Map.of("signal", "vantage-blamed", "vantage", "ext-1")))
        : List.of(new Evidence(Evidence.PROBE, "ext-1 and in-secondary see submit-order fail",
            Map.of("vantage", "ext-1", "step", "submit-order")));
    String[] p = primary.split("/");
    String[] s = secondary.split("/");
    clouds.put("primary", new CloudAssessment(CloudAssessment.ACTIVE, Health.valueOf(p[0]), Fault.valueOf(p[1]), ev,
        null, null, null));
    clouds.put("secondary", new CloudAssessment(CloudAssessment.STANDBY, Health.valueOf(s[0]), Fault.valueOf(s[1]),
        List.of(), true, 2.0, 60L));
    Instant now = Instant.now();
    return new Verdict(D, new ObserverIdentity("obs-test", "primary"), now, now.plusSeconds(30), rec, now,
        rec + ": test verdict", clouds);
  }

  static SloAlertChange alert(String slo, String cloud, String tier, boolean firing) {
    return new SloAlertChange(Instant.now(), slo, cloud, tier, tier.startsWith("page") ? "page" : "ticket", firing,
        15, 20, 0.4);
  }

  private Pager pager(String url, boolean observabilityKey, SenderSettings settings) throws Exception {
    return pager(url, observabilityKey, settings, FileOpener.system());
  }

  private Pager pager(String url, boolean observabilityKey, SenderSettings settings, FileOpener files)
      throws Exception {
    Pager p = Pager.start(vertx, Optional.of(new TandemConfig.PagerDuty(url, new Secret(SERVICE_KEY),
            observabilityKey ? Optional.of(new Secret(OBS_KEY)) : Optional.empty())), dir,
        // Resolve at once (paging.flapSeconds: 0): these tests are about delivery, not flaps.
        PagingPolicy.create(spec(), Clock.systemUTC(), Duration.ZERO), audit::add, registry, Clock.systemUTC(),
        settings, "obs-test", files);
    pagers.add(p);
    return p;
  }

  private List<String> accepted() {
    return receiver.accepted().stream().map(b -> b.get("event_action").asText() + " "
        + b.path("payload").path("severity").asText() + " " + b.get("routing_key").asText().substring(0, 3) + " "
        + b.get("dedup_key").asText()).toList();
  }

  private List<String> auditStatuses() throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : List.copyOf(audit)) {
      JsonNode n = json.readTree(line);
      out.add(n.get("status").asText() + " " + n.at("/event/event_action").asText() + " " + n.at("/event/dedup_key").asText());
    }
    return out;
  }

  @Test
  void cloudOutageIsOneCriticalIncidentTriggeredThenResolved() throws Exception {
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/NONE", "HEALTHY/NONE"));
    p.onVerdict(null, verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE", "HEALTHY/NONE"));
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    p.onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/NONE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger critical svc " + CW, "resolve critical svc " + CW));
    assertThat(receiver.violations()).isEmpty();
    assertThat(receiver.openIncidents()).isEmpty();
    JsonNode trigger = receiver.accepted().get(0);
    assertThat(trigger.at("/payload/custom_details/recommendation").asText()).isEqualTo("FAILOVER");
    assertThat(trigger.at("/payload/custom_details/evidence/0/vantage").asText()).isEqualTo("ext-1");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(auditStatuses()).contains(
        "accepted trigger " + CW, "delivered trigger " + CW, "delivered resolve " + CW));
    assertThat(registry.counter("tandem.paging.events.sent").count()).isEqualTo(2.0);
    String outbox = Files.readString(dir.resolve("paging-outbox.jsonl"));
    assertThat(outbox).contains(CW).doesNotContain(SERVICE_KEY);
    assertThat(String.join("\n", audit)).doesNotContain(SERVICE_KEY).doesNotContain(OBS_KEY);
  }

  @Test
  void componentPageIsHeldBackDuringCloudWideIncidentAndSentAfter() throws Exception {
    Pager p = pager(receiver.url(), true, FAST);
    String slo = "tandem/" + D + "/primary/COMPONENT";
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    p.onSloAlert(alert(SLO, "primary", "page-fast", true));
    p.evaluated();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(auditStatuses())
        .contains("suppressed trigger " + slo, "delivered trigger " + CW));
    assertThat(accepted()).containsExactly("trigger critical svc " + CW);
    assertThat(registry.counter("tandem.paging.events.suppressed").count()).isEqualTo(1.0);
    p.onVerdict(null, verdict(Recommendation.STAY, "DEGRADED/COMPONENT", "HEALTHY/NONE"));
    p.evaluated();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger critical svc " + CW, "resolve critical svc " + CW, "trigger error svc " + slo));
    assertThat(receiver.violations()).isEmpty();
  }

  @Test
  void vantageAndTelemetryFaultsWarnTheObservabilityKey() throws Exception {
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.STAY, "DEGRADED/VANTAGE", "HEALTHY/TELEMETRY"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger warning obs tandem/observability/secondary/TELEMETRY",
        "trigger warning obs tandem/observability/vantage/ext-1"));
    assertThat(receiver.accepted()).allSatisfy(b -> assertThat(b.get("routing_key").asText()).isEqualTo(OBS_KEY));
    assertThat(receiver.violations()).isEmpty();
  }

  @Test
  void withoutObservabilityKeyWarningsUseTheServiceKey() throws Exception {
    Pager p = pager(receiver.url(), false, FAST);
    p.onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/TELEMETRY", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger warning svc tandem/observability/primary/TELEMETRY"));
  }

  @Test
  void tooManyRequestsIsRetriedAfterRetryAfter() throws Exception {
    receiver.answer(429, 1);
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).hasSize(1));
    List<EventsV2Receiver.Received> all = receiver.received();
    assertThat(all).extracting(EventsV2Receiver.Received::answered).containsExactly(429, 202);
    assertThat(all.get(1).atMillis() - all.get(0).atMillis()).isGreaterThanOrEqualTo(900);
    assertThat(registry.counter("tandem.paging.events.retried").count()).isEqualTo(1.0);
    assertThat(receiver.violations()).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws Exception {
    receiver.answer(500, -1).answer(503, -1);
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).hasSize(1));
    assertThat(receiver.received()).extracting(EventsV2Receiver.Received::answered).containsExactly(500, 503, 202);
    assertThat(registry.counter("tandem.paging.events.retried").count()).isEqualTo(2.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> p.outbox().orElseThrow().pendingCount() == 0);
  }

  @Test
  void badRequestIsNotRetried() throws Exception {
    receiver.answer(400, -1);
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(auditStatuses()).contains("rejected trigger " + CW));
    // A later event gets through; the refused one was never sent again.
    p.onSloAlert(alert(SLO, "secondary", "page-fast", true));
    p.evaluated();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger error svc tandem/" + D + "/secondary/COMPONENT"));
    assertThat(receiver.received()).hasSize(2);
    assertThat(registry.counter("tandem.paging.events.failed").count()).isEqualTo(1.0);
    assertThat(audit.stream().filter(l -> l.contains("\"rejected\"")).findFirst().orElseThrow())
        .contains("Event object is invalid").doesNotContain(SERVICE_KEY);
    assertThat(p.outbox().orElseThrow().pendingCount()).isZero();
  }

  @Test
  void requestTimeoutIsRetried() throws Exception {
    receiver.answer(408, -1);
    Pager p = pager(receiver.url(), true, FAST);
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).hasSize(1));
    assertThat(receiver.received()).extracting(EventsV2Receiver.Received::answered).containsExactly(408, 202);
    assertThat(registry.counter("tandem.paging.events.failed").count()).isZero();
  }

  /**
   * The race behind the flaky badRequestIsNotRetried: the sender's start picks an event up from
   * the outbox and gets it answered before the pager's own offer of it runs. That offer must not
   * queue it again (it went out twice, the second time accepted, although refused with 400).
   */
  @Test
  void anEventAnsweredBeforeItsOfferRunsIsNotSentAgain() throws Exception {
    receiver.answer(400, -1);
    PagingOutbox outbox = PagingOutbox.open(dir.resolve("outbox.jsonl"), 100);
    PagingOutbox.Entry refused = outbox.accept(PagingPolicy.create(spec(), Clock.systemUTC())
            .onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE")).get(0).event())
        .get().entry().orElseThrow();
    List<EventsV2Sender.Delivery> outcomes = Collections.synchronizedList(new ArrayList<>());
    EventsV2Sender sender = new EventsV2Sender(vertx, WebClient.create(vertx), receiver.url(),
        Map.of(dev.tandem.engine.paging.Routing.SERVICE, new Secret(SERVICE_KEY)), outbox, FAST, registry,
        Clock.systemUTC(), new java.util.Random(1), outcomes::add);
    try {
      sender.start(); // finds the event in the outbox and sends it: 400
      await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 1);
      assertThat(outcomes.get(0).outcome()).isEqualTo("rejected");
      sender.offer(refused); // the pager's offer, late
      PagingOutbox.Entry later = outbox.accept(dev.tandem.engine.paging.PagingPolicy.create(spec(), Clock.systemUTC())
          .onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/VANTAGE", "HEALTHY/NONE")).get(0).event())
          .get().entry().orElseThrow();
      sender.offer(later); // runs after the late offer on the sender's context
      await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 2);
      assertThat(receiver.received()).extracting(r -> r.body().get("dedup_key").asText())
          .containsExactly(refused.dedupKey(), later.dedupKey());
    } finally {
      sender.stop();
      outbox.close();
    }
  }

  @Test
  void refusedRoutingKeyKeepsItsEventsRetriesSlowlyAndPagesObservability() throws Exception {
    receiver.refuseKey(SERVICE_KEY, 403);
    Duration slowly = Duration.ofMillis(400);
    Pager p = pager(receiver.url(), true, FAST.withConfigRetry(slowly));
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    String self = "tandem/paging/service-routing-key-refused";
    // The observability team hears of it through the normal path, on its own key.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted())
        .containsExactly("trigger error obs " + self));
    // The sender has seen two refusals (the receiver logs a request before the sender sees its answer).
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.counter("tandem.paging.events.misconfigured",
        "status", "403").count() >= 2);
    List<EventsV2Receiver.Received> refusals = receiver.received().stream().filter(r -> r.answered() == 403).toList();
    assertThat(refusals.get(1).atMillis() - refusals.get(0).atMillis()).as("retried slowly")
        .isGreaterThanOrEqualTo(slowly.toMillis() - 50);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(p.outbox().orElseThrow().pending())
        .extracting(PagingOutbox.Entry::dedupKey).containsExactly(CW));
    assertThat(registry.get("tandem.paging.routing.refused").tag("routing", "SERVICE").gauge().value()).isEqualTo(1.0);
    assertThat(p.problems()).singleElement().asString().contains("SERVICE routing key (HTTP 403)")
        .doesNotContain(SERVICE_KEY);
    assertThat(auditStatuses()).contains("misconfigured trigger " + CW).doesNotContain("rejected trigger " + CW);

    // Fixed: the kept trigger goes out, and the observability page is resolved.
    receiver.acceptKey(SERVICE_KEY);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger error obs " + self, "trigger critical svc " + CW, "resolve error obs " + self));
    assertThat(p.problems()).isEmpty();
    assertThat(receiver.violations()).isEmpty();
    assertThat(String.join("\n", audit)).doesNotContain(SERVICE_KEY).doesNotContain(OBS_KEY);
  }

  @Test
  void refusedKeyThatObservabilitySharesCannotPageAboutItself() throws Exception {
    receiver.refuseKey(SERVICE_KEY, 401);
    Pager p = pager(receiver.url(), false, FAST.withConfigRetry(Duration.ofMillis(300)));
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.counter("tandem.paging.events.misconfigured",
        "status", "401").count() >= 2);
    // Only the kept trigger, refused again and again: no page about the key on the same key.
    assertThat(receiver.received()).allSatisfy(r -> {
      assertThat(r.answered()).isEqualTo(401);
      assertThat(r.body().get("dedup_key").asText()).isEqualTo(CW);
    });
    assertThat(p.outbox().orElseThrow().pendingCount()).isEqualTo(1);
    assertThat(p.problems()).singleElement().asString().contains("HTTP 401");
  }

  @Test
  void withTheDiskFullPagesAreStillSentHeldInMemoryAndMadeDurableLater() throws Exception {
    FullDisk disk = new FullDisk();
    Pager first = pager(receiver.url(), true, FAST, disk);
    disk.fill();
    first.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted())
        .containsExactly("trigger critical svc " + CW));
    assertThat(audit.stream().filter(l -> l.contains("\"accepted\"")).findFirst().orElseThrow())
        .contains("held in memory");
    assertThat(registry.counter("tandem.paging.events.held").count()).isEqualTo(1.0);
    assertThat(first.outbox().orElseThrow().problem()).isPresent();

    disk.free();
    await().atMost(Duration.ofSeconds(30)).until(() -> first.outbox().orElseThrow().problem().isEmpty());
    first.close();
    pagers.remove(first);

    // The incident it opened while the disk was full is on disk now: a restart resolves it.
    registry = new SimpleMeterRegistry();
    Pager second = pager(receiver.url(), true, FAST);
    assertThat(second.outbox().orElseThrow().openIncidents()).extracting(i -> i.dedupKey()).containsExactly(CW);
    second.onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/NONE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).containsExactly(
        "trigger critical svc " + CW, "resolve critical svc " + CW));
    assertThat(receiver.violations()).isEmpty();
  }

  @Test
  void eachRoutingKeyIsRateLimited() throws Exception {
    SenderSettings tenPerSecond = new SenderSettings(600, 2, Duration.ofMillis(50), Duration.ofSeconds(3), 4,
        Duration.ofSeconds(2), Duration.ofMillis(10));
    Pager p = pager(receiver.url(), true, tenPerSecond);
    // A first event opens the connection, so that arrival times below are close to send times.
    p.onSloAlert(alert("warm-up", "primary", "page-fast", true));
    p.evaluated();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).hasSize(1));
    for (int i = 0; i < 12; i++) {
      p.onSloAlert(alert("slo-" + i, "primary", "page-fast", true));
    }
    p.evaluated();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accepted()).hasSize(13));
    List<EventsV2Receiver.Received> all = receiver.received().subList(1, 13);
    // In any stretch of time w, at most burst + rate x w events (two of slack: arrival is not send time,
    // the first request also opens a connection).
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        long w = all.get(j).atMillis() - all.get(i).atMillis();
        assertThat(j - i + 1).as("events %d..%d within %d ms", i, j, w).isLessThanOrEqualTo(2 + (int) (w / 100) + 2);
      }
    }
    // Order of acceptance is kept when nothing is retried.
    assertThat(accepted().get(1)).endsWith("/slo-0/primary/page");
    assertThat(receiver.violations()).isEmpty();
  }

  @Test
  void acceptedEventsSurviveARestartAndAreDeliveredOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/v2/enqueue";
    Pager first = pager(url, true, FAST);
    first.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(auditStatuses()).contains("accepted trigger " + CW));
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.counter("tandem.paging.events.retried").count() >= 1);
    first.close();
    pagers.remove(first);

    try (EventsV2Receiver up = new EventsV2Receiver(vertx).start(port)) {
      registry = new SimpleMeterRegistry();
      Pager second = pager(url, true, FAST);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(up.accepted()).hasSize(1));
      assertThat(up.accepted().get(0).get("dedup_key").asText()).isEqualTo(CW);
      // The restarted policy knows the incident is open: the same verdict does not trigger again, recovery resolves.
      second.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
      second.onVerdict(null, verdict(Recommendation.STAY, "HEALTHY/NONE", "HEALTHY/NONE"));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(up.accepted()).hasSize(2));
      assertThat(up.accepted().get(1).get("event_action").asText()).isEqualTo("resolve");
      assertThat(up.violations()).isEmpty();
      await().atMost(Duration.ofSeconds(5)).until(() -> second.outbox().orElseThrow().pendingCount() == 0);
      second.close();
      pagers.remove(second);

      // Delivered events are not sent again by a third start.
      registry = new SimpleMeterRegistry();
      Pager third = pager(url, true, FAST);
      assertThat(third.outbox().orElseThrow().pending()).isEmpty();
      assertThat(third.outbox().orElseThrow().openIncidents()).isEmpty();
      assertThat(up.received()).hasSize(2);
    }
  }

  @Test
  void withoutPagerDutyPagesAreOnlyAudited() throws Exception {
    Pager p = Pager.start(vertx, Optional.empty(), dir, PagingPolicy.create(spec(), Clock.systemUTC()), audit::add,
        registry, Clock.systemUTC(), FAST);
    pagers.add(p);
    p.onVerdict(null, verdict(Recommendation.FAILOVER, "UNHEALTHY/CLOUD_WIDE", "HEALTHY/NONE"));
    assertThat(auditStatuses()).containsExactly("not-sent trigger " + CW);
    assertThat(audit.get(0)).contains("not sent: no paging configured");
    assertThat(Files.exists(dir.resolve("paging-outbox.jsonl"))).isFalse();
  }
}
