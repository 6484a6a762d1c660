package dev.tandem.catalogue;

import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The platform and the observer every catalogue case runs against: the demo's shape (two clouds,
 * the order-to-invoice, stock-lookup and standby-readiness journeys, probes every 5 s, a 20 s
 * hold-down), with four vantages in three failure domains, and three probe-based SLOs, two of
 * which count the allocation step.
 */
public final class Fleet {
  public static final String PRIMARY = "primary";
  public static final String SECONDARY = "secondary";
  public static final String DOMAIN = "order-platform";
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  /** Probe step timeout: a latency brownout stays under it. */
  public static final Duration TIMEOUT = Duration.ofSeconds(3);
  /** The catalogue's own brownout threshold (the default). */
  public static final double BROWNOUT_ERROR_RATE = EngineSettings.DEFAULT_BROWNOUT_ERROR_RATE;

  /** A journey as the catalogue plays it: which clouds (by role) it runs against, and its steps. */
  public record Journey(String name, String role, List<String> steps, Set<String> always, Set<String> nonCritical) {
    boolean runsAgainst(String cloudRole) {
      return role.equals("both") || role.equals(cloudRole);
    }
  }

  public static final Journey ORDER = new Journey("order-to-invoice", "active",
      List.of("submit-order", "allocate", "pick-confirm", "ship-confirm", "invoice", "cleanup"),
      Set.of("cleanup"), Set.of("cleanup"));
  public static final Journey STOCK = new Journey("stock-lookup", "both", List.of("inventory-lookup", "health"),
      Set.of(), Set.of());
  public static final Journey READINESS = new Journey("standby-readiness", "standby",
      List.of("health", "inventory-read", "replicated-order-read"), Set.of(), Set.of());
  public static final List<Journey> JOURNEYS = List.of(ORDER, STOCK, READINESS);

  /** Two outside vantages (one provider, two regions), and one inside each cloud. */
  public static final List<VantageSpec> VANTAGES = List.of(
      new VantageSpec("ext-1", "third-party", "eu"),
      new VantageSpec("ext-2", "third-party", "us"),
      new VantageSpec("in-primary", "primary", "eu-west"),
      new VantageSpec("in-secondary", "secondary", "eu-central"));

  public static final List<PathSpec> PATHS = List.of(new PathSpec("path-a", PRIMARY), new PathSpec("path-b", SECONDARY));

  public static final String ORDER_SLO = "order-journey-availability";
  public static final String ALLOCATION_SLO = "allocation-availability";
  public static final String LATENCY_SLO = "order-journey-latency";
  /** The latency SLO's threshold: journey steps answer within it when the cloud is well. */
  public static final long LATENCY_THRESHOLD_MS = 500;

  private Fleet() {}

  /** The engine settings of the demo: tick 5 s, hold-down 20 s, quorum 2, probe window 30 s. */
  public static EngineSettings settings() {
    return new EngineSettings(Duration.ofSeconds(5), Duration.ofSeconds(20), 2, Duration.ofSeconds(30),
        Duration.ofSeconds(15), Duration.ofSeconds(60));
  }

  public static EngineSpec spec() {
    return spec(settings());
  }

  public static EngineSpec spec(EngineSettings settings) {
    return new EngineSpec(new ObserverIdentity("obs-catalogue", "outside"), List.of(PRIMARY, SECONDARY),
        List.of(new DomainSpec(DOMAIN, PRIMARY, SECONDARY, 60, "db.replication.lag",
            JOURNEYS.stream().map(Journey::name).toList(), List.of(ORDER_SLO, ALLOCATION_SLO, LATENCY_SLO))),
        VANTAGES, PATHS, settings);
  }

  /** Three probe-based SLOs over 28 days: the order journey, its allocation step, and its latency. */
  public static List<SloSpec> slos() {
    SloWindow window = SloWindow.rolling(Duration.ofDays(28));
    return List.of(
        new SloSpec(ORDER_SLO, "Order journey availability", "orders", window, BudgetingMethod.OCCURRENCES,
            new BigDecimal("0.999"), null, null,
            new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, ORDER.name())), null, null),
        new SloSpec(ALLOCATION_SLO, "Allocation availability", "inventory", window, BudgetingMethod.OCCURRENCES,
            new BigDecimal("0.999"), null, null,
            new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, ORDER.name(), Selector.STEP, "allocate")),
            null, null),
        new SloSpec(LATENCY_SLO, "Order journey latency", "orders", window, BudgetingMethod.OCCURRENCES,
            new BigDecimal("0.99"), null, null,
            new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, ORDER.name())), (double) LATENCY_THRESHOLD_MS, null));
  }
}
