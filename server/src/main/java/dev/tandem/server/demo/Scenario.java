package dev.tandem.server.demo;

import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.PlatformSimulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scripted fault timelines for the demo: each shows one row of the classifier's table, so that a
 * newcomer sees the verdict change (or, as importantly, not change) within two minutes. Besides
 * the demo's first five, every case of the gray-failure catalogue ({@code dev.tandem.catalogue.GrayFailure})
 * that can be played live has a scenario with the catalogue's id (all but {@code slow-burn}, which
 * takes hours).
 */
public enum Scenario {
  CLOUD_OUTAGE("cloud-outage", "the active cloud fails as a whole: every request and its telemetry",
      "FAILOVER once independent vantages confirm it through the hold-down",
      "FAILOVER from a quorum of observers, the controller's switch, journeys on the new active, and the"
          + " verdicts back to STAY with the roles swapped; no second switch") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), CloudFaults.none().withDown(true));
    }
  },
  VANTAGE_LOSS("vantage-loss", "vantage ext-1 loses its network to both clouds",
      "fault VANTAGE, recommendation stays STAY: an observer problem is not an outage",
      "fault VANTAGE from obs-primary alone (ext-1 is its vantage; the others probe from their own and see"
          + " nothing wrong); every observer stays STAY and the controller never switches") {
    @Override
    void inject(Stage s) {
      refuse(s, "ext-1");
    }
  },
  TELEMETRY_PATH_LOSS("telemetry-path-loss", "the active cloud's telemetry path (its collector) goes down",
      "fault TELEMETRY, recommendation stays STAY: silence is not an outage while probes pass",
      "fault TELEMETRY from every observer (each one's path for the active cloud goes down); every observer"
          + " stays STAY and the controller never switches") {
    @Override
    void inject(Stage s) {
      // Done by the demo itself: it stops the path's receiver (see Demo.play, LoopDemo.play).
    }

    @Override
    boolean stopsActivePath() {
      return true;
    }
  },
  COMPONENT_FAULT("component-fault", "allocation (inventory-service) fails in the active cloud",
      "fault COMPONENT, recommendation stays STAY: page the owner, failing over would not help",
      "fault COMPONENT from every observer; every observer stays STAY and the controller never switches:"
          + " failing over would not help") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRate("allocate", 1.0));
    }
  },
  PARTITIONED_OBSERVER("partitioned-observer",
      "the network between one observer's vantages (obs-external's) and the active cloud fails",
      "that observer alone recommends FAILOVER (its vantages all see the active cloud down)",
      "obs-external alone recommends FAILOVER; the controller refuses: 1 of 3 is below the quorum of 2") {
    @Override
    void inject(Stage s) {
      CloudFaults faults = s.sim().faults(s.active());
      for (String vantage : s.partitioned()) {
        faults = faults.withRefusedVantage(vantage);
      }
      s.sim().setFaults(s.active(), faults);
    }
  },
  CLOUD_OUTAGE_503("cloud-outage-503", "every operation of the active cloud answers 503 (its health check still"
      + " answers 200)",
      "fault CLOUD_WIDE, then FAILOVER after the hold-down: an answer that is always an error is an outage too",
      "CLOUD_WIDE, then FAILOVER from a quorum of observers and one switch; the verdicts settle on STAY with the"
          + " roles swapped") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRateOnEveryOperation(1.0));
    }
  },
  BROWNOUT_10("brownout-10", "a brownout: every operation of the active cloud answers 503 10% of the time (about"
      + " 40% of order-to-invoice runs fail)",
      "fault CLOUD_WIDE once the failure rate is significant, DEGRADED while it is below the brownout threshold;"
          + " FAILOVER only once its lower confidence bound reaches the threshold (this can take minutes at 10%),"
          + " never HOLD",
      "CLOUD_WIDE (rule brownout-below-threshold, DEGRADED) while the evidence builds, then FAILOVER from a quorum"
          + " and one switch once the bound reaches the threshold; never HOLD") {
    @Override
    void inject(Stage s) {
      brownout(s, 0.10);
    }
  },
  BROWNOUT_35("brownout-35", "a brownout: every operation of the active cloud answers 503 35% of the time (most"
      + " order-to-invoice runs fail)",
      "fault CLOUD_WIDE (a brownout, spread over every step), then FAILOVER after the hold-down",
      "CLOUD_WIDE from every observer, FAILOVER from a quorum after the hold-down, one switch, and the verdicts"
          + " back to STAY with the roles swapped") {
    @Override
    void inject(Stage s) {
      brownout(s, 0.35);
    }
  },
  BROWNOUT_60("brownout-60", "a brownout: every operation of the active cloud answers 503 60% of the time",
      "fault CLOUD_WIDE, then FAILOVER after the hold-down",
      "CLOUD_WIDE from every observer, FAILOVER from a quorum after the hold-down and one switch") {
    @Override
    void inject(Stage s) {
      brownout(s, 0.60);
    }
  },
  COMPONENT_TWO_SLOS("component-two-slos", "allocation answers 503 to every request in the active cloud, while"
      + " two SLOs count it (inventory-api-availability from the cloud's telemetry, order-journey-availability"
      + " from the probes)",
      "fault COMPONENT however many SLOs burn; STAY, one page to the service owner (severity error), never a"
          + " FAILOVER",
      "fault COMPONENT from every observer, both SLOs burning; every observer stays STAY, the controller never"
          + " switches, and the owner gets one page (error), not a critical one") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRate("allocate", 1.0));
    }
  },
  LOSSY_VANTAGE_20("lossy-vantage-20", "vantage ext-1 loses 20% of its requests to both clouds (connections"
      + " closed without an answer)",
      "STAY throughout; once ext-1's failure rate is significantly above the other vantages', fault VANTAGE"
          + " and one warning to observability, never a page to the owner",
      "obs-primary (ext-1 is its vantage) stays STAY and names VANTAGE once the difference is significant; the"
          + " other observers see nothing; no switch, no page to the owner") {
    @Override
    void inject(Stage s) {
      lossy(s, 0.20);
    }
  },
  LOSSY_VANTAGE_50("lossy-vantage-50", "vantage ext-1 loses 50% of its requests to both clouds (connections"
      + " closed without an answer)",
      "fault VANTAGE, STAY: one warning to observability, never a page to the owner",
      "obs-primary names VANTAGE (ext-1) and stays STAY; the other observers see nothing; no switch, no page"
          + " to the owner") {
    @Override
    void inject(Stage s) {
      lossy(s, 0.50);
    }
  },
  LATENCY_BROWNOUT("latency-brownout", "every request to the active cloud takes 800 ms longer (under the probes'"
      + " 3 s timeout and the journeys' 2 s limits)",
      "STAY: every journey still passes, only slower (the demo has no latency SLO; a latency SLO would burn and"
          + " page the owner, never fail over)",
      "every observer stays STAY and the controller never switches: slow is not down") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withLatencyMs(800));
    }
  },
  SHARED_DEPENDENCY("shared-dependency", "a dependency both clouds share (the IdP) fails: every operation of both"
      + " clouds answers 503 (error rate 1.0 on every operation, in both clouds)",
      "HOLD: the active cloud fails cloud-wide, but the standby fails the same way, so switching cannot help",
      "HOLD from every observer; the controller never switches (HOLD is a veto)") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRateOnEveryOperation(1.0));
      s.sim().setFaults(s.standby(), s.sim().faults(s.standby()).withErrorRateOnEveryOperation(1.0));
    }
  },
  CLOCK_AHEAD("clock-ahead", "vantage ext-1's clock runs 2 minutes ahead: its results arrive stamped 120 s in the"
      + " future",
      "fault VANTAGE (its clock runs ahead; the results are refused and counted), STAY, one warning to"
          + " observability",
      "obs-primary (ext-1 is its vantage) names VANTAGE and says the clock runs ahead; the other observers see"
          + " nothing; no switch, no page to the owner") {
    @Override
    void inject(Stage s) {
      if (s.vantageClock().isEmpty()) {
        log.warn("scenario clock-ahead: vantage {} has no clock the demo can shift", s.vantage());
        return;
      }
      s.vantageClock().get().shift(Duration.ofMinutes(2));
    }
  },
  BLIP("blip-12s", "the whole active cloud fails for 12 s, then recovers",
      "STAY throughout: 12 s is shorter than the hold-down, and no page",
      "every observer stays STAY (at most a short confirming state) and the controller never switches") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withDown(true));
    }

    @Override
    List<Change> later() {
      return List.of(new Change(Duration.ofSeconds(12), "the active cloud recovers", Scenario::heal));
    }
  },
  VANTAGE_LOST("vantage-lost", "vantage ext-1 cannot reach either cloud (the catalogue's name for vantage-loss)",
      VANTAGE_LOSS.expected, VANTAGE_LOSS.expectedWithController) {
    @Override
    void inject(Stage s) {
      refuse(s, "ext-1");
    }
  },
  VANTAGE_LOST_DURING_OUTAGE("vantage-lost-during-outage", "vantage ext-1 cannot reach either cloud; 60 s later"
      + " every operation of the active cloud answers 503",
      "fault VANTAGE first, STAY; then CLOUD_WIDE and FAILOVER: the other vantages still make a quorum",
      "obs-primary names VANTAGE, then every observer sees the outage: FAILOVER from a quorum and one switch") {
    @Override
    void inject(Stage s) {
      refuse(s, s.vantage());
    }

    @Override
    List<Change> later() {
      return List.of(new Change(Duration.ofSeconds(60), "every operation of the active cloud answers 503",
          st -> st.sim().setFaults(st.active(), st.sim().faults(st.active()).withErrorRateOnEveryOperation(1.0))));
    }
  },
  SILENT_PATH("silent-path", "the active cloud's telemetry path goes silent while every probe passes (the"
      + " catalogue's name for telemetry-path-loss)",
      TELEMETRY_PATH_LOSS.expected, TELEMETRY_PATH_LOSS.expectedWithController) {
    @Override
    void inject(Stage s) {
      // Done by the demo itself, as for telemetry-path-loss.
    }

    @Override
    boolean stopsActivePath() {
      return true;
    }
  },
  LAG_OVER_RPO("outage-lag-over-rpo", "the active cloud fails as a whole while the standby's replication lag is"
      + " 300 s, over the 60 s RPO",
      "HOLD: the active cloud is down, but switching now would lose more data than the RPO allows",
      "HOLD from every observer; the controller never switches (HOLD is a veto)") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.standby(), s.sim().faults(s.standby()).withReplicationLagSeconds(300));
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withDown(true));
    }
  },
  FLAPPING_OUTAGE("flapping-outage", "every operation of the active cloud answers 503 for 30 s, works for 30 s, and"
      + " again, for 5 minutes",
      "CLOUD_WIDE while it fails; FAILOVER at most once the hold-down is met, never HOLD; one incident, not one"
          + " per flap",
      "the verdicts follow the flaps without churning the pager (one incident); at most one switch") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRateOnEveryOperation(1.0));
    }

    @Override
    List<Change> later() {
      List<Change> out = new java.util.ArrayList<>();
      // Fails for 0-30 s, 60-90 s ... 240-270 s; healed from 270 s on.
      for (int t = 30; t < 300; t += 30) {
        boolean fails = (t / 30) % 2 == 0;
        out.add(fails
            ? new Change(Duration.ofSeconds(t), "the original active cloud fails again",
                st -> st.sim().setFaults(st.active(), st.sim().faults(st.active()).withErrorRateOnEveryOperation(1.0)))
            : new Change(Duration.ofSeconds(t), "the original active cloud works", Scenario::heal));
      }
      return out;
    }
  },
  RECOVERY("outage-then-recovery", "the active cloud fails as a whole for 90 s, then recovers",
      "FAILOVER after the hold-down; after the recovery the verdict returns to STAY only after sustained recovery",
      "FAILOVER from a quorum and one switch; the old active comes back as a healthy standby, and nothing switches"
          + " back") {
    @Override
    void inject(Stage s) {
      s.sim().setFaults(s.active(), s.sim().faults(s.active()).withDown(true));
    }

    @Override
    List<Change> later() {
      return List.of(new Change(Duration.ofSeconds(90), "the original active cloud recovers", Scenario::heal));
    }
  };

  private static final Logger log = LoggerFactory.getLogger(Scenario.class);

  /** How long the demo runs healthy before the fault, so that the baseline is visible first. */
  public static final Duration FAULT_AFTER = Duration.ofSeconds(20);

  private final String id;
  private final String fault;
  private final String expected;
  private final String expectedWithController;

  Scenario(String id, String fault, String expected, String expectedWithController) {
    this.id = id;
    this.fault = fault;
    this.expected = expected;
    this.expectedWithController = expectedWithController == null ? expected : expectedWithController;
  }

  public String id() {
    return id;
  }

  public String fault() {
    return fault;
  }

  public String expected() {
    return expected;
  }

  /** What a newcomer should see with three observers and the failover controller. */
  public String expectedWithController() {
    return expectedWithController;
  }

  /**
   * What a scenario acts on, fixed when its fault begins: a later change of its timeline still
   * names the clouds by the roles they had then.
   *
   * @param active the active cloud when the fault began
   * @param partitioned the vantages cut off from the active cloud by {@link #PARTITIONED_OBSERVER}
   * @param vantage the outside vantage the vantage scenarios act on ({@code ext-1} in the demo)
   * @param vantageClock the clock of that vantage's probes, when the demo can shift it
   */
  record Stage(PlatformSimulator sim, String active, String standby, List<String> partitioned, String vantage,
      Optional<ShiftableClock> vantageClock) {}

  /** A later change of a scenario's timeline, {@code at} after its fault began. */
  record Change(Duration at, String what, Consumer<Stage> action) {}

  /** Injects the fault. */
  abstract void inject(Stage stage);

  /** What changes later, in order of time; most scenarios inject once and leave the fault on. */
  List<Change> later() {
    return List.of();
  }

  private static void heal(Stage s) {
    s.sim().setFaults(s.active(), CloudFaults.none());
  }

  private static void brownout(Stage s, double rate) {
    s.sim().setFaults(s.active(), s.sim().faults(s.active()).withErrorRateOnEveryOperation(rate));
  }

  private static void refuse(Stage s, String vantage) {
    s.sim().setFaults(s.active(), s.sim().faults(s.active()).withRefusedVantage(vantage));
    s.sim().setFaults(s.standby(), s.sim().faults(s.standby()).withRefusedVantage(vantage));
  }

  private static void lossy(Stage s, double share) {
    s.sim().setFaults(s.active(), s.sim().faults(s.active()).withVantageLoss(s.vantage(), share));
    s.sim().setFaults(s.standby(), s.sim().faults(s.standby()).withVantageLoss(s.vantage(), share));
  }

  /** Whether the scenario takes the active cloud's telemetry path down. */
  boolean stopsActivePath() {
    return false;
  }

  public static Optional<Scenario> byId(String id) {
    String wanted = id.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst();
  }

  public static List<String> ids() {
    return Arrays.stream(values()).map(Scenario::id).toList();
  }
}
