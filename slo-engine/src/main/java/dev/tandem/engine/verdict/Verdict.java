package dev.tandem.engine.verdict;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The engine's judgement of one failover domain at one instant (CONTRACTS.md section 4). A
 * controller treats a verdict past {@link #validUntil()} as unknown.
 */
public record Verdict(String domain, ObserverIdentity observer, Instant generatedAt,
    Instant validUntil, Recommendation recommendation, Instant since, String reason,
    Map<String, CloudAssessment> clouds, VerdictState state) {

  public Verdict(String domain, ObserverIdentity observer, Instant generatedAt, Instant validUntil,
      Recommendation recommendation, Instant since, String reason, Map<String, CloudAssessment> clouds) {
    this(domain, observer, generatedAt, validUntil, recommendation, since, reason, clouds,
        recommendation == Recommendation.FAILOVER ? VerdictState.FAILOVER
            : recommendation == Recommendation.HOLD ? VerdictState.HOLD : VerdictState.ALL_CLEAR);
  }

  /** The same verdict with another {@code since}. */
  public Verdict withSince(Instant since) {
    return new Verdict(domain, observer, generatedAt, validUntil, recommendation, since, reason, clouds, state);
  }

  public Verdict {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(validUntil, "validUntil");
    Objects.requireNonNull(recommendation, "recommendation");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(state, "state");
    if (validUntil.isBefore(generatedAt)) {
      throw new IllegalArgumentException("validUntil before generatedAt");
    }
    clouds = Collections.unmodifiableMap(new LinkedHashMap<>(clouds));
  }

  /**
   * Whether this verdict says something different from {@code other}: recommendation, state,
   * reason, or any cloud's role, health, fault, rule, readiness or confirmation deadline. Times and evidence details do not count,
   * so that a stream of verdicts only carries changes.
   */
  public boolean differsFrom(Verdict other) {
    if (other == null) {
      return true;
    }
    if (recommendation != other.recommendation || state != other.state || !reason.equals(other.reason)
        || !clouds.keySet().equals(other.clouds.keySet())) {
      return true;
    }
    for (Map.Entry<String, CloudAssessment> e : clouds.entrySet()) {
      CloudAssessment a = e.getValue();
      CloudAssessment b = other.clouds.get(e.getKey());
      if (!a.role().equals(b.role()) || a.health() != b.health() || a.fault() != b.fault()
          || !Objects.equals(a.ready(), b.ready()) || !Objects.equals(a.rule(), b.rule())
          || !Objects.equals(a.failoverPossibleAt(), b.failoverPossibleAt())) {
        return true;
      }
    }
    return false;
  }
}
