package dev.tandem.engine.paging;

import java.util.Objects;

/** An incident Tandem triggered and has not resolved yet, as a durable outbox remembers it. */
public record OpenIncident(String dedupKey, Routing routing, PageSeverity severity) {
  public OpenIncident {
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(severity, "severity");
  }
}
