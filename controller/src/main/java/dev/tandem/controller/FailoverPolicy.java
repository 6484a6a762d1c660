package dev.tandem.controller;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The controller's rules.
 *
 * @param observers the observer ids whose verdicts count
 * @param quorum how many observers must recommend FAILOVER from the same active cloud (1 to the
 *     number of observers; 2 of 3 is the usual choice)
 * @param antiFlap after a switch, no further switch of that domain for this long
 * @param domains the domains the controller may switch
 */
public record FailoverPolicy(List<String> observers, int quorum, Duration antiFlap, List<DomainPolicy> domains) {
  public FailoverPolicy {
    observers = List.copyOf(observers);
    domains = List.copyOf(domains);
    Objects.requireNonNull(antiFlap, "antiFlap");
    if (observers.isEmpty() || new HashSet<>(observers).size() != observers.size()) {
      throw new IllegalArgumentException("observers must be distinct and at least one, got " + observers);
    }
    if (quorum < 1 || quorum > observers.size()) {
      throw new IllegalArgumentException("quorum must be 1-" + observers.size() + " (the observers), got " + quorum);
    }
    if (antiFlap.isNegative()) {
      throw new IllegalArgumentException("antiFlap must not be negative");
    }
    Set<String> ids = new HashSet<>();
    for (DomainPolicy d : domains) {
      if (!ids.add(d.id())) {
        throw new IllegalArgumentException("duplicate domain " + d.id());
      }
    }
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("at least one domain is needed");
    }
  }
}
