package dev.tandem.engine.budget;

import java.time.Instant;

/** A burn-rate tier of one SLO in one cloud started or stopped firing. */
public record SloAlertChange(Instant ts, String slo, String cloud, String tier, String severity,
    boolean firing, double longBurn, double shortBurn, double budgetRemaining) {}
