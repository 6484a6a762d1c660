package dev.tandem.controller;

import java.util.Objects;

/**
 * The gating switch (after Route 53 ARC's gating controls): while closed, no switch happens at
 * all, whatever the observers say. An operator closes it during maintenance or an incident that a
 * person wants to steer by hand.
 *
 * @param closed whether switches are blocked
 * @param why who or what closed it, for the decision log
 */
public record Gate(boolean closed, String why) {
  public Gate {
    Objects.requireNonNull(why, "why");
  }

  /** The gate open: switches may happen. */
  public static Gate open() {
    return new Gate(false, "");
  }

  /** The gate closed by {@code why} (who or what closed it, for the decision log). */
  public static Gate closed(String why) {
    return new Gate(true, why);
  }
}
