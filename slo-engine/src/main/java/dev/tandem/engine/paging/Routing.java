package dev.tandem.engine.paging;

/**
 * Whose pager an event rings: the service owner's routing key, or the observability team's
 * ({@code observabilityRoutingKey}, falling back to the service key when that is not set). The
 * engine never sees the keys themselves, only the role.
 */
public enum Routing {
  SERVICE,
  OBSERVABILITY
}
