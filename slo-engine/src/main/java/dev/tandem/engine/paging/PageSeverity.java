package dev.tandem.engine.paging;

import java.util.Locale;

/** The Events API v2 {@code payload.severity} values, most urgent first. */
public enum PageSeverity {
  CRITICAL,
  ERROR,
  WARNING,
  INFO;

  /** The wire name: {@code critical}, {@code error}, {@code warning} or {@code info}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PageSeverity fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
