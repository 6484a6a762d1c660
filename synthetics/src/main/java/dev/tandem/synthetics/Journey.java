package dev.tandem.synthetics;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A declarative multi-step journey (CONTRACTS.md section 3), as read by {@link JourneyParser}.
 * Validates itself: a journey that exists can run.
 *
 * @param name the journey's id, a small closed set used as a metric and span attribute
 * @param roles the cloud roles it runs against: {@code active}, {@code standby} or both
 * @param steps in order; names unique
 */
public record Journey(String name, Set<String> roles, List<Step> steps) {
  public static final String ACTIVE = "active";
  public static final String STANDBY = "standby";
  /** Bounds a journey's length, and so a run's duration. */
  public static final int MAX_STEPS = 32;
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  public Journey {
    Objects.requireNonNull(name, "name");
    if (!ID.matcher(name).matches()) {
      throw new IllegalArgumentException("journey name '" + name + "' must match " + ID);
    }
    roles = Set.copyOf(roles);
    if (roles.isEmpty() || !Set.of(ACTIVE, STANDBY).containsAll(roles)) {
      throw new IllegalArgumentException("roles must be active and/or standby, got " + roles);
    }
    steps = List.copyOf(steps);
    if (steps.isEmpty() || steps.size() > MAX_STEPS) {
      throw new IllegalArgumentException("a journey needs 1 to " + MAX_STEPS + " steps");
    }
    Set<String> names = new HashSet<>();
    Set<String> extracted = new LinkedHashSet<>();
    for (Step step : steps) {
      if (!names.add(step.name())) {
        throw new IllegalArgumentException("duplicate step name '" + step.name() + "'");
      }
      for (String var : step.request().variables()) {
        if (!extracted.contains(var)) {
          throw new IllegalArgumentException("step '" + step.name() + "' uses {{" + var
              + "}} before any earlier step extracts it");
        }
      }
      extracted.addAll(step.extract().keySet());
    }
  }

  /** Whether this journey runs against a cloud that currently has {@code role}. */
  public boolean runsAgainst(String role) {
    return role != null && roles.contains(role.toLowerCase(Locale.ROOT));
  }
}
