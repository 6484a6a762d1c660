package dev.tandem.server.paging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.paging.EventsV2Json;
import dev.tandem.engine.paging.PageRecord;
import dev.tandem.engine.paging.PagingPolicy;
import dev.tandem.engine.paging.Routing;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Paging at the edge: takes the policy's records, puts the events to send into the durable outbox
 * (when {@code paging.pagerduty} is configured) and writes every record, sent, held back or only
 * noted, to the audit log with its evidence. Without PagerDuty configured, pages are audited as
 * {@code "not sent: no paging configured"}.
 *
 * <p>Audit lines: {@code {"ts","type":"page","status":...,"note":...,"event":<Events v2 body>}}
 * with {@code status} one of {@code accepted}, {@code delivered}, {@code rejected}, {@code refused}
 * (outbox full), {@code suppressed}, {@code not-paged} and {@code not-sent}; the body's
 * {@code routing_key} is the role ({@code SERVICE} or {@code OBSERVABILITY}), never the key.
 */
public final class Pager implements AutoCloseable {
  private final PagingPolicy policy;
  private final Optional<PagingOutbox> outbox;
  private final Optional<EventsV2Sender> sender;
  private final Consumer<String> audit;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final EventsV2Json events = new EventsV2Json(json);
  private final Counter suppressed;
  private final Counter refused;

  private Pager(PagingPolicy policy, Optional<PagingOutbox> outbox, Optional<EventsV2Sender> sender,
      Consumer<String> audit, MeterRegistry registry, Clock clock) {
    this.policy = policy;
    this.outbox = outbox;
    this.sender = sender;
    this.audit = audit;
    this.clock = clock;
    this.suppressed = Counter.builder("tandem.paging.events.suppressed")
        .description("Pages held back because a cloud-wide incident was open for the cloud").register(registry);
    this.refused = Counter.builder("tandem.paging.events.refused")
        .description("Events refused because the paging outbox was at its bound").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("tandem.paging.flaps", policy, PagingPolicy::flaps)
        .description("Problems that came back within paging.flapSeconds: their incident stayed open, neither"
            + " resolved nor triggered again").register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("tandem.paging.escalations", policy, PagingPolicy::escalations)
        .description("Open incidents triggered again with a higher severity (same dedup key, same incident)")
        .register(registry);
    outbox.ifPresent(o -> Gauge.builder("tandem.paging.outbox.pending", o, PagingOutbox::pendingCount)
        .description("Events accepted and not yet answered by PagerDuty").register(registry));
  }

  /**
   * Opens the outbox in {@code storageDir} and starts the sender when PagerDuty is configured;
   * restores the incidents a previous run left open into {@code policy}.
   */
  public static Pager start(Vertx vertx, Optional<TandemConfig.PagerDuty> pagerDuty, Path storageDir,
      PagingPolicy policy, Consumer<String> audit, MeterRegistry registry, Clock clock, SenderSettings settings)
      throws IOException {
    if (pagerDuty.isEmpty()) {
      return new Pager(policy, Optional.empty(), Optional.empty(), audit, registry, clock);
    }
    PagingOutbox outbox = PagingOutbox.open(storageDir.resolve("paging-outbox.jsonl"), PagingOutbox.DEFAULT_CAPACITY);
    policy.restore(outbox.openIncidents());
    Map<Routing, Secret> keys = new EnumMap<>(Routing.class);
    keys.put(Routing.SERVICE, pagerDuty.get().routingKey());
    pagerDuty.get().observabilityRoutingKey().ifPresent(k -> keys.put(Routing.OBSERVABILITY, k));
    WebClient client = WebClient.create(vertx, new WebClientOptions().setUserAgent("tandem-paging")
        .setConnectTimeout((int) settings.timeout().toMillis()));
    Pager[] self = new Pager[1];
    EventsV2Sender sender = new EventsV2Sender(vertx, client, pagerDuty.get().url(), keys, outbox, settings,
        registry, clock, new SecureRandom(), d -> self[0].audit(d.outcome(), d.message(), d.entry().body()));
    Pager pager = new Pager(policy, Optional.of(outbox), Optional.of(sender), audit, registry, clock);
    self[0] = pager;
    sender.start();
    return pager;
  }

  public void onVerdict(Verdict previous, Verdict next) {
    handle(policy.onVerdict(previous, next));
  }

  public void onSloAlert(SloAlertChange change) {
    handle(policy.onSloAlert(change));
  }

  /** Call after each evaluation round (SLOs and verdicts): new SLO pages are decided then. */
  public void evaluated() {
    handle(policy.evaluated());
  }

  /** The outbox, when PagerDuty is configured. */
  public Optional<PagingOutbox> outbox() {
    return outbox;
  }

  private void handle(List<PageRecord> records) {
    for (PageRecord r : records) {
      ObjectNode body = events.encode(r.event(), r.event().routing().name());
      switch (r.disposition()) {
        case SUPPRESSED:
          suppressed.increment();
          audit("suppressed", r.note(), body);
          break;
        case NOT_PAGED:
          audit("not-paged", r.note(), body);
          break;
        default:
          if (outbox.isEmpty()) {
            audit("not-sent", "not sent: no paging configured", body);
            break;
          }
          outbox.get().accept(r.event()).whenComplete((entry, error) -> {
            if (error != null) {
              audit("refused", "outbox write failed: " + error.getMessage(), body);
              refused.increment();
            } else if (entry.isEmpty()) {
              refused.increment();
              audit("refused", "paging outbox at its bound", body);
            } else {
              audit("accepted", r.note(), body);
              sender.get().offer(entry.get());
            }
          });
      }
    }
  }

  private void audit(String status, String note, ObjectNode body) {
    ObjectNode n = json.createObjectNode();
    n.put("ts", clock.instant().toString());
    n.put("type", "page");
    n.put("status", status);
    if (note != null && !note.isEmpty()) {
      n.put("note", note);
    }
    n.set("event", body);
    audit.accept(n.toString());
  }

  @Override
  public void close() {
    sender.ifPresent(EventsV2Sender::stop);
    outbox.ifPresent(PagingOutbox::close);
  }
}
