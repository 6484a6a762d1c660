package dev.tandem.engine.verdict;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One fact behind a verdict.
 *
 * @param kind {@code probe}, {@code sli}, {@code path} or {@code replication}
 * @param detail one readable sentence
 * @param fields machine-readable particulars (vantage, journey, step, path, ratio...)
 */
public record Evidence(String kind, String detail, Map<String, Object> fields) {
  public static final String PROBE = "probe";
  public static final String SLI = "sli";
  public static final String PATH = "path";
  public static final String REPLICATION = "replication";

  public Evidence {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
    fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
  }
}
