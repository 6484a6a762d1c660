package dev.tandem.engine.budget;

import dev.tandem.engine.slo.SloWindow;
import java.time.Duration;

/** Durations as OpenSLO and Prometheus write them: 5m, 1h, 28d, 500ms. */
public final class Durations {
  private Durations() {}

  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  public static String describe(SloWindow w) {
    if (w.rolling()) {
      return format(w.duration()) + " rolling";
    }
    return w.count() + " " + w.unit().toString().toLowerCase(java.util.Locale.ROOT) + " calendar from "
        + w.start() + " " + w.zone();
  }
}
