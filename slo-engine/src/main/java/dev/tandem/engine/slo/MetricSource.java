package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Map;
import java.util.Objects;

/**
 * An SLI's {@code metricSource}: which system holds the data ({@code type}, or the type of the
 * DataSource that {@code metricSourceRef} names) and a free-form {@code spec} for that system.
 *
 * @param metricSourceRef the DataSource's name, or null
 * @param type as written, or null (then the DataSource's type applies)
 * @param typeAt where {@code type} stands, or where {@code metricSourceRef} stands without a type
 * @param spec each key of {@code spec} with its value and where they stand
 * @param at where the {@code metricSource} mapping starts
 */
public record MetricSource(String metricSourceRef, String type, SourceLocation typeAt,
    Map<String, SpecEntry> spec, SourceLocation specAt, SourceLocation at) {

  /**
   * One key of a metric source's {@code spec}.
   *
   * @param value a scalar as written (String), or a plain tree of maps and lists
   */
  public record SpecEntry(Object value, SourceLocation keyAt, SourceLocation valueAt) {
    public SpecEntry {
      Objects.requireNonNull(keyAt, "keyAt");
      Objects.requireNonNull(valueAt, "valueAt");
    }
  }

  public MetricSource {
    Objects.requireNonNull(typeAt, "typeAt");
    Objects.requireNonNull(specAt, "specAt");
    Objects.requireNonNull(at, "at");
    if (type == null && metricSourceRef == null) {
      throw new IllegalArgumentException("a metric source needs a type or a metricSourceRef");
    }
    if (spec.isEmpty()) {
      throw new IllegalArgumentException("a metric source needs a spec");
    }
    spec = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(spec));
  }
}
