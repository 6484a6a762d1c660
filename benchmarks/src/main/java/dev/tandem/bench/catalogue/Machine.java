package dev.tandem.bench.catalogue;

import java.lang.management.ManagementFactory;

/** What the figures were measured on: cores and the load average, printed beside them. */
final class Machine {
  private Machine() {}

  /** The one-minute load average, or -1 where the platform has none. */
  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static String describe() {
    return String.format(java.util.Locale.ROOT, "%d cores, Java %s, load average %.1f",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), load());
  }
}
