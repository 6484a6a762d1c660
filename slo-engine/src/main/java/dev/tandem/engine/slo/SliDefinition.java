package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Objects;

/**
 * An OpenSLO {@code SLI}, standing alone or written inside an SLO's {@code indicator}: either a
 * {@code ratioMetric} or a {@code thresholdMetric}, exactly one.
 *
 * @param description free text, or null
 * @param at where the SLI's {@code spec} starts
 */
public record SliDefinition(OpenSloMetadata metadata, String description, RatioMetric ratioMetric,
    MetricSource thresholdMetric, SourceLocation at) {

  /** Success and failure, the two meanings of a {@code raw} ratio. */
  public enum RawType { SUCCESS, FAILURE }

  /**
   * A ratio: {@code good} or {@code bad} events over {@code total}, or a pre-computed {@code raw}
   * ratio of {@code rawType}.
   *
   * @param counter whether the sources are monotonic counters (OpenSLO's {@code counter})
   * @param rawAt where {@code raw} stands, or null
   */
  public record RatioMetric(boolean counter, MetricSource good, MetricSource bad,
      MetricSource total, RawType rawType, MetricSource raw, SourceLocation rawAt) {
    public RatioMetric {
      if (raw != null) {
        if (good != null || bad != null || total != null) {
          throw new IllegalArgumentException("a raw ratio has no good, bad or total");
        }
        Objects.requireNonNull(rawType, "rawType");
        Objects.requireNonNull(rawAt, "rawAt");
      } else {
        Objects.requireNonNull(total, "total");
        if ((good == null) == (bad == null)) {
          throw new IllegalArgumentException("a ratio counts good or bad events, exactly one");
        }
      }
    }

    /** The source that counts the events of interest: good, bad, or the raw ratio. */
    public MetricSource counted() {
      return raw != null ? raw : good != null ? good : bad;
    }
  }

  public SliDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(at, "at");
    if ((ratioMetric == null) == (thresholdMetric == null)) {
      throw new IllegalArgumentException("an SLI is a ratioMetric or a thresholdMetric, exactly one");
    }
  }

  public String name() {
    return metadata.name();
  }
}
