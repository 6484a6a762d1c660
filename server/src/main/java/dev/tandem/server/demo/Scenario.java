package dev.tandem.server.demo;

import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.PlatformSimulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Scripted fault timelines for the demo: each shows one row of the classifier's table, so that a
 * newcomer sees the verdict change (or, as importantly, not change) within two minutes.
 */
public enum Scenario {
  CLOUD_OUTAGE("cloud-outage", "the active cloud fails as a whole: every request and its telemetry",
      "FAILOVER once independent vantages confirm it through the hold-down",
      "FAILOVER from a quorum of observers, the controller's switch, journeys on the new active, and the"
          + " verdicts back to STAY with the roles swapped; no second switch") {
    @Override
    void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned) {
      sim.setFaults(active, CloudFaults.none().withDown(true));
    }
  },
  VANTAGE_LOSS("vantage-loss", "vantage ext-1 loses its network to both clouds",
      "fault VANTAGE, recommendation stays STAY: an observer problem is not an outage",
      "fault VANTAGE from obs-primary alone (ext-1 is its vantage; the others probe from their own and see"
          + " nothing wrong); every observer stays STAY and the controller never switches") {
    @Override
    void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned) {
      sim.setFaults(active, sim.faults(active).withRefusedVantage("ext-1"));
      sim.setFaults(standby, sim.faults(standby).withRefusedVantage("ext-1"));
    }
  },
  TELEMETRY_PATH_LOSS("telemetry-path-loss", "the active cloud's telemetry path (its collector) goes down",
      "fault TELEMETRY, recommendation stays STAY: silence is not an outage while probes pass",
      "fault TELEMETRY from every observer (each one's path for the active cloud goes down); every observer"
          + " stays STAY and the controller never switches") {
    @Override
    void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned) {
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
    void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned) {
      sim.setFaults(active, sim.faults(active).withErrorRate("allocate", 1.0));
    }
  },
  PARTITIONED_OBSERVER("partitioned-observer",
      "the network between one observer's vantages (obs-external's) and the active cloud fails",
      "that observer alone recommends FAILOVER (its vantages all see the active cloud down)",
      "obs-external alone recommends FAILOVER; the controller refuses: 1 of 3 is below the quorum of 2") {
    @Override
    void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned) {
      CloudFaults faults = sim.faults(active);
      for (String vantage : partitioned) {
        faults = faults.withRefusedVantage(vantage);
      }
      sim.setFaults(active, faults);
    }
  };

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
   * Injects the fault.
   *
   * @param partitioned the vantages cut off from the active cloud by {@link #PARTITIONED_OBSERVER}
   */
  abstract void inject(PlatformSimulator sim, String active, String standby, List<String> partitioned);

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
