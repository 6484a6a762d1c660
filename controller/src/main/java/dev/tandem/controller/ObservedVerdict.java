package dev.tandem.controller;

import java.time.Instant;
import java.util.Objects;

/**
 * The parts of an observer's verdict (CONTRACTS.md section 4) that the controller decides on.
 *
 * @param observer the observer id stamped on the verdict
 * @param domain the failover domain
 * @param recommendation the recommendation as written ({@code STAY}, {@code FAILOVER}, {@code HOLD});
 *     anything else counts as {@link Vote#UNKNOWN}
 * @param active the cloud the verdict names with role {@code active}; null when none
 * @param standby the cloud the verdict names with role {@code standby}; null when none
 * @param activeHealth the health the verdict gives the active cloud; null when none
 * @param standbyLagSeconds the replication lag the verdict reports for the standby; null when none
 * @param validUntil after this instant the verdict counts as {@link Vote#UNKNOWN}
 * @param reason the verdict's one-sentence reason
 */
public record ObservedVerdict(String observer, String domain, String recommendation, String active,
    String standby, String activeHealth, Double standbyLagSeconds, Instant generatedAt, Instant validUntil, String reason) {
  public ObservedVerdict {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(recommendation, "recommendation");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(validUntil, "validUntil");
    reason = reason == null ? "" : reason;
  }
}
