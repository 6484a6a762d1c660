package dev.tandem.catalogue;

import dev.tandem.engine.verdict.Recommendation;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The gray-failure catalogue: faults as they happen (most of them partial), each with what a DR
 * team expects Tandem to say. Every case is played through {@code tandem replay} (an observation
 * log, {@link CatalogueLog}) and live through the demo's simulator. The expectations are the
 * catalogue's own: which recommendations are right, and whether the fault is the observers' own
 * (then nobody who owns the platform may be paged).
 *
 * <p>Times: a case runs {@link #LEAD_IN} healthy, then its fault for {@link #faultSeconds()}, then
 * {@link #tailSeconds()} healthy again.
 */
public enum GrayFailure {
  CLOUD_OUTAGE("cloud-outage", "the active cloud fails as a whole: connections close unanswered, its telemetry stops",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 180, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? "connection closed before response" : null;
    }

    @Override
    boolean pathSilent(String path, double seconds) {
      return path.equals("path-a");
    }
  },
  CLOUD_OUTAGE_503("cloud-outage-503", "the active cloud's gateway answers 503 to every request",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 180, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? "status 503, expected 2xx" : null;
    }
  },
  BROWNOUT_10("brownout-10", "every step of the active cloud fails 10% of the time, from every vantage (about 30%"
      + " of journey runs fail: above the 20% threshold, near enough for the evidence to take minutes)",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 600, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && s.random().nextDouble() < 0.10 ? "status 503, expected 2xx" : null;
    }
  },
  BROWNOUT_35("brownout-35", "every step of the active cloud fails 35% of the time, from every vantage",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 240, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && s.random().nextDouble() < 0.35 ? "status 503, expected 2xx" : null;
    }
  },
  BROWNOUT_60("brownout-60", "every step of the active cloud fails 60% of the time, from every vantage",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 240, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && s.random().nextDouble() < 0.60 ? "status 503, expected 2xx" : null;
    }
  },
  COMPONENT_TWO_SLOS("component-two-slos", "allocation answers 503 to every request in the active cloud; two SLOs"
      + " count that step", EnumSet.of(Recommendation.STAY), false, 420, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && s.step().equals("allocate") ? "status 503, expected 200" : null;
    }
  },
  LOSSY_VANTAGE_20("lossy-vantage-20", "vantage ext-2 loses 20% of its requests, to both clouds",
      EnumSet.of(Recommendation.STAY), true, 600, 0) {
    @Override
    String fail(Step s) {
      return s.vantage().equals("ext-2") && s.random().nextDouble() < 0.20 ? "connection closed before response" : null;
    }
  },
  LOSSY_VANTAGE_50("lossy-vantage-50", "vantage ext-2 loses 50% of its requests, to both clouds",
      EnumSet.of(Recommendation.STAY), true, 600, 0) {
    @Override
    String fail(Step s) {
      return s.vantage().equals("ext-2") && s.random().nextDouble() < 0.50 ? "connection closed before response" : null;
    }
  },
  LATENCY_BROWNOUT("latency-brownout", "every request to the active cloud takes 800 ms longer (under the 3 s"
      + " timeout); the latency SLO wants 500 ms", EnumSet.of(Recommendation.STAY), false, 600, 0) {
    @Override
    long extraLatencyMs(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? 800 : 0;
    }
  },
  SHARED_DEPENDENCY("shared-dependency", "a dependency both clouds share (the IdP) fails: every request to either"
      + " cloud answers 503", EnumSet.of(Recommendation.STAY, Recommendation.HOLD), false, 180, 0) {
    @Override
    String fail(Step s) {
      return "status 503, expected 2xx";
    }
  },
  CLOCK_AHEAD("clock-ahead", "vantage ext-2's clock runs 2 minutes ahead",
      EnumSet.of(Recommendation.STAY), true, 300, 0) {
    @Override
    Duration clockOffset(String vantage) {
      return vantage.equals("ext-2") ? Duration.ofMinutes(2) : Duration.ZERO;
    }
  },
  BLIP("blip-12s", "the whole active cloud fails for 12 s, then recovers",
      EnumSet.of(Recommendation.STAY), false, 12, 300) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? "connection closed before response" : null;
    }
  },
  VANTAGE_LOST("vantage-lost", "vantage ext-1 cannot reach either cloud (connections refused)",
      EnumSet.of(Recommendation.STAY), true, 300, 0) {
    @Override
    String fail(Step s) {
      return s.vantage().equals("ext-1") ? "connect refused" : null;
    }
  },
  VANTAGE_LOST_DURING_OUTAGE("vantage-lost-during-outage", "vantage ext-1 cannot reach either cloud, and then"
      + " the active cloud fails as a whole", EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 240, 0) {
    @Override
    String fail(Step s) {
      if (s.vantage().equals("ext-1")) {
        return "connect refused";
      }
      return s.seconds() >= 60 && s.cloud().equals(Fleet.PRIMARY) ? "status 503, expected 2xx" : null;
    }
  },
  SILENT_PATH("silent-path", "the active cloud's telemetry path goes silent while every probe passes",
      EnumSet.of(Recommendation.STAY), true, 240, 0) {
    @Override
    boolean pathSilent(String path, double seconds) {
      return path.equals("path-a");
    }
  },
  LAG_OVER_RPO("outage-lag-over-rpo", "the active cloud fails as a whole while the standby's replication lag is"
      + " over the RPO", EnumSet.of(Recommendation.STAY, Recommendation.HOLD), false, 180, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? "status 503, expected 2xx" : null;
    }

    @Override
    double lagSeconds(double seconds) {
      return 300;
    }
  },
  FLAPPING_OUTAGE("flapping-outage", "the active cloud fails for 30 s, works for 30 s, and again",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 300, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && ((int) (s.seconds() / 30)) % 2 == 0 ? "status 503, expected 2xx" : null;
    }
  },
  SLOW_BURN("slow-burn", "allocation fails 0.32% of the time in the active cloud (about 0.5% with the background):"
      + " its SLO burns at a ticket tier for hours, never at a page tier", EnumSet.of(Recommendation.STAY), false,
      20 * 3600, 0) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) && s.step().equals("allocate") && s.random().nextDouble() < 0.0032
          ? "status 503, expected 200" : null;
    }
  },
  RECOVERY("outage-then-recovery", "the active cloud fails as a whole for 90 s and recovers",
      EnumSet.of(Recommendation.STAY, Recommendation.FAILOVER), false, 90, 900) {
    @Override
    String fail(Step s) {
      return s.cloud().equals(Fleet.PRIMARY) ? "status 503, expected 2xx" : null;
    }
  };

  /**
   * How long every case runs healthy before its fault: the judge's longest window (the vantage
   * window, ten probe windows) is full of healthy traffic when the fault begins, however much
   * history comes before.
   */
  public static final Duration LEAD_IN = Duration.ofSeconds(300);

  /** One probe step about to run, as a case sees it. */
  public record Step(double seconds, String cloud, String vantage, String journey, String step, Random random) {}

  private final String id;
  private final String description;
  private final Set<Recommendation> allowed;
  private final boolean observerSide;
  private final int faultSeconds;
  private final int tailSeconds;

  GrayFailure(String id, String description, Set<Recommendation> allowed, boolean observerSide, int faultSeconds,
      int tailSeconds) {
    this.id = id;
    this.description = description;
    this.allowed = Set.copyOf(allowed);
    this.observerSide = observerSide;
    this.faultSeconds = faultSeconds;
    this.tailSeconds = tailSeconds;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** The recommendations that are right during this case; any other is false. */
  public Set<Recommendation> allowed() {
    return allowed;
  }

  /** The fault is the observers' own (a vantage, a telemetry path): it must never page an owner. */
  public boolean observerSide() {
    return observerSide;
  }

  public int faultSeconds() {
    return faultSeconds;
  }

  public int tailSeconds() {
    return tailSeconds;
  }

  /** Why this step fails while the fault lasts, or null when it passes. */
  String fail(Step s) {
    return null;
  }

  /** Latency the fault adds to this step. */
  long extraLatencyMs(Step s) {
    return 0;
  }

  /** How far ahead the vantage's clock runs while the fault lasts. */
  Duration clockOffset(String vantage) {
    return Duration.ZERO;
  }

  /** Whether the path sends nothing while the fault lasts. */
  boolean pathSilent(String path, double seconds) {
    return false;
  }

  /** The standby's replication lag while the fault lasts. */
  double lagSeconds(double seconds) {
    return CatalogueLog.HEALTHY_LAG_SECONDS;
  }

  public static Optional<GrayFailure> byId(String id) {
    String wanted = id.toLowerCase(Locale.ROOT);
    for (GrayFailure g : values()) {
      if (g.id.equals(wanted)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }
}
