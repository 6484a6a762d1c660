package dev.tandem.server.paging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.paging.EventsV2Json;
import dev.tandem.engine.paging.PageAction;
import dev.tandem.engine.paging.PageEvent;
import dev.tandem.engine.paging.PageRecord;
import dev.tandem.engine.paging.PageSeverity;
import dev.tandem.engine.paging.PagingPolicy;
import dev.tandem.engine.paging.Routing;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.storage.FileOpener;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paging at the edge: takes the policy's records, puts the events to send into the durable outbox
 * (when {@code paging.pagerduty} is configured) and writes every record, sent, held back or only
 * noted, to the audit log with its evidence. Without PagerDuty configured, pages are audited as
 * {@code "not sent: no paging configured"}.
 *
 * <p>Audit lines: {@code {"ts","type":"page","status":...,"note":...,"event":<Events v2 body>}}
 * with {@code status} one of {@code accepted}, {@code delivered}, {@code rejected}, {@code refused}
 * (outbox full), {@code misconfigured} (PagerDuty refused the routing key: kept and retried),
 * {@code suppressed}, {@code not-paged} and {@code not-sent}; the body's {@code routing_key} is
 * the role ({@code SERVICE} or {@code OBSERVABILITY}), never the key. An event accepted while the
 * disk refuses the outbox's writes is {@code accepted} with a note saying it is held in memory.
 *
 * <p>A routing key that PagerDuty refuses (401, 403, 404) is a configuration error: its events
 * wait in the outbox (the sender retries them slowly) and an {@code error} page about it goes to
 * the observability routing key, dedup key {@code tandem/paging/<role>-routing-key-refused},
 * resolved once the key works again. When the observability routing uses the refused key itself
 * (no separate {@code observabilityRoutingKey}, or that one is refused), no page can go out: the
 * error log says so.
 */
public final class Pager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pager.class);
  /** Dedup keys of the pages the pager raises about itself; never handed to the policy. */
  static final String SELF_PREFIX = "tandem/paging/";

  private final PagingPolicy policy;
  private final Optional<PagingOutbox> outbox;
  private final Optional<EventsV2Sender> sender;
  private final Consumer<String> audit;
  private final Clock clock;
  private final String source;
  private final boolean separateObservabilityKey;
  private final Duration configRetry;
  private final ObjectMapper json = new ObjectMapper();
  private final EventsV2Json events = new EventsV2Json(json);
  private final Counter suppressed;
  private final Counter refused;
  private final Counter held;
  // Guarded by this: which keys (named by the role that owns them) PagerDuty refuses, since when and with what.
  private final Map<Routing, Refusal> refusedKeys = new EnumMap<>(Routing.class);
  private final Set<Routing> raised = EnumSet.noneOf(Routing.class);

  private record Refusal(int status, Instant since) {}

  private Pager(PagingPolicy policy, Optional<PagingOutbox> outbox, Optional<EventsV2Sender> sender,
      Consumer<String> audit, MeterRegistry registry, Clock clock, String source, boolean separateObservabilityKey,
      Duration configRetry) {
    this.policy = policy;
    this.outbox = outbox;
    this.sender = sender;
    this.audit = audit;
    this.clock = clock;
    this.source = source;
    this.separateObservabilityKey = separateObservabilityKey;
    this.configRetry = configRetry;
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
    this.held = Counter.builder("tandem.paging.events.held")
        .description("Events accepted while the outbox could not write to disk: sent, kept in memory until written")
        .register(registry);
    outbox.ifPresent(o -> {
      Gauge.builder("tandem.paging.outbox.pending", o, PagingOutbox::pendingCount)
          .description("Events accepted and not yet answered by PagerDuty").register(registry);
      Gauge.builder("tandem.paging.outbox.held", o, PagingOutbox::heldCount)
          .description("Events accepted but only in memory: the disk refused them (a restart now loses them)")
          .register(registry);
      for (Routing r : Routing.values()) {
        Gauge.builder("tandem.paging.routing.refused", this, p -> p.refusedStatus(r) > 0 ? 1.0 : 0.0)
            .description("1 while PagerDuty refuses this role's routing key (401, 403, 404): its events wait")
            .tag("routing", r.name()).register(registry);
      }
      o.openIncidents().stream().filter(i -> i.dedupKey().startsWith(SELF_PREFIX))
          .forEach(i -> raised.add(roleOf(i.dedupKey())));
    });
  }

  /**
   * Opens the outbox in {@code storageDir} and starts the sender when PagerDuty is configured;
   * restores the incidents a previous run left open into {@code policy}.
   */
  public static Pager start(Vertx vertx, Optional<TandemConfig.PagerDuty> pagerDuty, Path storageDir,
      PagingPolicy policy, Consumer<String> audit, MeterRegistry registry, Clock clock, SenderSettings settings)
      throws IOException {
    return start(vertx, pagerDuty, storageDir, policy, audit, registry, clock, settings, "tandem", FileOpener.system());
  }

  /**
   * As {@link #start(Vertx, Optional, Path, PagingPolicy, Consumer, MeterRegistry, Clock, SenderSettings)};
   * {@code source} is the {@code payload.source} of the pages the pager raises about itself (the
   * observer id), and the outbox writes through {@code opener}.
   */
  public static Pager start(Vertx vertx, Optional<TandemConfig.PagerDuty> pagerDuty, Path storageDir,
      PagingPolicy policy, Consumer<String> audit, MeterRegistry registry, Clock clock, SenderSettings settings,
      String source, FileOpener opener) throws IOException {
    if (pagerDuty.isEmpty()) {
      return new Pager(policy, Optional.empty(), Optional.empty(), audit, registry, clock, source, false,
          settings.configRetry());
    }
    PagingOutbox outbox = PagingOutbox.open(storageDir.resolve("paging-outbox.jsonl"), PagingOutbox.DEFAULT_CAPACITY,
        opener, clock);
    policy.restore(outbox.openIncidents().stream().filter(i -> !i.dedupKey().startsWith(SELF_PREFIX)).toList());
    Map<Routing, Secret> keys = new EnumMap<>(Routing.class);
    keys.put(Routing.SERVICE, pagerDuty.get().routingKey());
    pagerDuty.get().observabilityRoutingKey().ifPresent(k -> keys.put(Routing.OBSERVABILITY, k));
    boolean separate = keys.containsKey(Routing.OBSERVABILITY)
        && !keys.get(Routing.OBSERVABILITY).reveal().equals(keys.get(Routing.SERVICE).reveal());
    WebClient client = WebClient.create(vertx, new WebClientOptions().setUserAgent("tandem-paging")
        .setConnectTimeout((int) settings.timeout().toMillis()));
    Pager[] self = new Pager[1];
    EventsV2Sender sender = new EventsV2Sender(vertx, client, pagerDuty.get().url(), keys, outbox, settings,
        registry, clock, new SecureRandom(), d -> self[0].delivered(d));
    Pager pager = new Pager(policy, Optional.of(outbox), Optional.of(sender), audit, registry, clock, source, separate,
        settings.configRetry());
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

  /** Why paging is not working as it should now (for {@code /readyz}); empty when it is. */
  public synchronized List<String> problems() {
    List<String> out = new ArrayList<>();
    refusedKeys.forEach((role, r) -> out.add("PagerDuty refuses the " + role + " routing key (HTTP " + r.status()
        + ") since " + r.since() + ": its events wait in the outbox (" + outbox.map(PagingOutbox::pendingCount)
        .orElse(0) + " pending), tried again every " + configRetry.toSeconds() + " s"));
    return out;
  }

  private synchronized int refusedStatus(Routing role) {
    Refusal r = refusedKeys.get(role);
    return r == null ? 0 : r.status();
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
          enqueue(r.event(), r.note(), body);
      }
    }
  }

  private void enqueue(PageEvent event, String note, ObjectNode body) {
    outbox.get().accept(event).whenComplete((acceptance, error) -> {
      if (error != null) {
        refused.increment();
        log.error("paging: {} {} could not be accepted", event.action().wire(), event.dedupKey(), error);
        audit("refused", "outbox failed: " + error.getMessage(), body);
        return;
      }
      switch (acceptance.admission()) {
        case REFUSED:
          refused.increment();
          audit("refused", acceptance.detail(), body);
          break;
        case HELD:
          held.increment();
          log.error("paging: {} {} ({}) accepted and being sent, but HELD IN MEMORY ONLY: {}; it is written once the"
              + " disk takes it, a restart before then loses it", event.action().wire(), event.dedupKey(),
              event.severity().wire(), acceptance.detail());
          audit("accepted", join(note, "held in memory: the outbox cannot write to disk now; written once space"
              + " returns"), body);
          sender.get().offer(acceptance.entry().orElseThrow());
          break;
        default:
          audit("accepted", note, body);
          sender.get().offer(acceptance.entry().orElseThrow());
      }
    });
  }

  private static String join(String a, String b) {
    return a == null || a.isEmpty() ? b : a + "; " + b;
  }

  /** The sender's report on one attempt (on the sender's context). */
  private void delivered(EventsV2Sender.Delivery d) {
    Routing key = keyOf(d.entry().routing());
    switch (d.outcome()) {
      case "misconfigured":
        keyRefused(key, d);
        break;
      case "delivered":
        audit("delivered", d.message(), d.entry().body());
        keyWorks(key);
        break;
      default:
        audit(d.outcome(), d.message(), d.entry().body());
    }
  }

  /** The role whose routing key an event of {@code role} is sent with. */
  private Routing keyOf(Routing role) {
    return role == Routing.OBSERVABILITY && !separateObservabilityKey ? Routing.SERVICE : role;
  }

  private void keyRefused(Routing key, EventsV2Sender.Delivery d) {
    boolean first;
    boolean canPage;
    boolean raise;
    synchronized (this) {
      first = !refusedKeys.containsKey(key);
      if (first) {
        refusedKeys.put(key, new Refusal(d.status(), clock.instant()));
      }
      Routing pageKey = keyOf(Routing.OBSERVABILITY);
      canPage = pageKey != key && !refusedKeys.containsKey(pageKey);
      raise = first && canPage && raised.add(key);
    }
    if (!first) {
      return;
    }
    audit("misconfigured", "HTTP " + d.status() + ": " + d.message() + "; kept in the outbox, tried again every "
        + configRetry.toSeconds() + " s", d.entry().body());
    if (raise) {
      log.error("paging: PagerDuty refuses the {} routing key (HTTP {}); raising an observability page about it ({})",
          key, d.status(), selfKey(key));
      enqueue(selfPage(PageAction.TRIGGER, key, d.status()), "the " + key + " routing key is refused",
          events.encode(selfPage(PageAction.TRIGGER, key, d.status()), Routing.OBSERVABILITY.name()));
    } else if (!canPage) {
      log.error("paging: PagerDuty refuses the {} routing key (HTTP {}), and no observability page can say so: the"
          + " observability routing uses {}; set paging.pagerduty.observabilityRoutingKey to a separate, working key",
          key, d.status(), keyOf(Routing.OBSERVABILITY) == key ? "that same key" : "a key that is refused too");
    }
  }

  private void keyWorks(Routing key) {
    boolean resolve;
    Refusal was;
    synchronized (this) {
      was = refusedKeys.remove(key);
      resolve = raised.contains(key) && keyOf(Routing.OBSERVABILITY) != key
          && !refusedKeys.containsKey(keyOf(Routing.OBSERVABILITY));
      if (resolve) {
        raised.remove(key);
      }
    }
    if (was != null) {
      log.warn("paging: PagerDuty takes the {} routing key again (it was refused with HTTP {} since {})", key,
          was.status(), was.since());
    }
    if (resolve) {
      PageEvent e = selfPage(PageAction.RESOLVE, key, was == null ? 0 : was.status());
      enqueue(e, "the " + key + " routing key works again", events.encode(e, Routing.OBSERVABILITY.name()));
    }
  }

  static String selfKey(Routing key) {
    return SELF_PREFIX + key.name().toLowerCase() + "-routing-key-refused";
  }

  private static Routing roleOf(String selfKey) {
    return selfKey.startsWith(SELF_PREFIX + "observability") ? Routing.OBSERVABILITY : Routing.SERVICE;
  }

  private PageEvent selfPage(PageAction action, Routing key, int status) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("refusedRouting", key.name());
    details.put("status", status);
    details.put("retrySeconds", configRetry.toSeconds());
    details.put("pending", outbox.map(PagingOutbox::pendingCount).orElse(0));
    return new PageEvent(action, Routing.OBSERVABILITY, selfKey(key), "PagerDuty refuses Tandem's " + key
        + " routing key (HTTP " + status + ") at " + source + ": pages for it wait in the outbox; check"
        + " paging.pagerduty (routing key, url, proxy)", source, PageSeverity.ERROR, clock.instant(), "paging", "tandem",
        "configuration", details);
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
