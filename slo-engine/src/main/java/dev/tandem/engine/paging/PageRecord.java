package dev.tandem.engine.paging;

import java.util.Objects;

/**
 * What the policy decided about one event: send it, hold it back, or only note it. Every record
 * belongs in the audit log; only {@link Disposition#SEND} records go to PagerDuty.
 *
 * @param note why, for the audit log (empty for plain sends)
 */
public record PageRecord(Disposition disposition, PageEvent event, String note) {
  public enum Disposition {
    /** Send to PagerDuty. */
    SEND,
    /** Held back: a cloud-wide incident is open for the same cloud (sent later if still relevant). */
    SUPPRESSED,
    /** Never pages by rule, e.g. a ticket-tier burn-rate alert; recorded for the audit only. */
    NOT_PAGED
  }

  public PageRecord {
    Objects.requireNonNull(disposition, "disposition");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(note, "note");
  }
}
