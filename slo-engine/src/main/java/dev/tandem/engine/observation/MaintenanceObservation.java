package dev.tandem.engine.observation;

import java.time.Instant;
import java.util.Objects;

/**
 * A maintenance window was added or removed through the API ({@code POST /api/v1/maintenance},
 * {@code DELETE /api/v1/maintenance/{id}}). In the observation log, so that replay excludes the
 * same events from the budgets as the live engine did, from the same instant on.
 *
 * <p>An {@link Action#ADD} carries the window: {@code start} and {@code end}, and optionally one
 * {@code slo} and one {@code cloud} (null: every SLO, every cloud) and a {@code reason}. A
 * {@link Action#REMOVE} carries only the {@code id}.
 *
 * @param by who changed it, as the caller named itself, never a credential
 */
public record MaintenanceObservation(Instant ts, Action action, String id, String slo, String cloud, Instant start,
    Instant end, String reason, String by) implements Observation {

  public static final String TYPE = "maintenance";

  /** What happened to the window; {@code action} in the log. */
  public enum Action {
    ADD("add"),
    REMOVE("remove");

    private final String wire;

    Action(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    /** The action a log line names, or an exception that says which are known. */
    public static Action fromWire(String value) {
      for (Action a : values()) {
        if (a.wire.equals(value)) {
          return a;
        }
      }
      throw new IllegalArgumentException("'action' must be add or remove, got '" + value + "'");
    }
  }

  public MaintenanceObservation {
    Observation.ts(ts);
    Objects.requireNonNull(action, "action");
    Observation.id(id, "id");
    Observation.id(by, "by");
    if (action == Action.ADD) {
      if (start == null || end == null) {
        throw new IllegalArgumentException("a maintenance window needs 'start' and 'end'");
      }
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException("maintenance " + id + ": end must be after start");
      }
      reason = reason == null ? "" : reason;
    } else {
      slo = null;
      cloud = null;
      start = null;
      end = null;
      reason = null;
    }
  }

  /** A window added. */
  public static MaintenanceObservation added(Instant ts, String id, String slo, String cloud, Instant start,
      Instant end, String reason, String by) {
    return new MaintenanceObservation(ts, Action.ADD, id, slo, cloud, start, end, reason, by);
  }

  /** A window removed. */
  public static MaintenanceObservation removed(Instant ts, String id, String by) {
    return new MaintenanceObservation(ts, Action.REMOVE, id, null, null, null, null, null, by);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
