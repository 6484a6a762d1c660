package dev.tandem.engine.paging;

import java.util.Locale;

/** The Events API v2 {@code event_action}s Tandem sends: it never acknowledges on anyone's behalf. */
public enum PageAction {
  TRIGGER,
  RESOLVE;

  /** The wire name: {@code trigger} or {@code resolve}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
