package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * An OpenSLO {@code AlertCondition}: alert when the burn rate over {@code lookbackWindow} compares
 * to {@code threshold} by {@code op}, for at least {@code alertAfter}.
 *
 * @param severity free text (e.g. {@code page}, {@code ticket})
 * @param alertAfter null when not given (OpenSLO's default is 0m)
 */
public record AlertConditionDefinition(OpenSloMetadata metadata, String description,
    String severity, String op, BigDecimal threshold, OpenSloDuration lookbackWindow,
    OpenSloDuration alertAfter, SourceLocation at) {

  /** The only condition kind OpenSLO v1 defines. */
  public static final String BURN_RATE = "burnrate";

  public AlertConditionDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(lookbackWindow, "lookbackWindow");
    Objects.requireNonNull(at, "at");
    if (!List.of("lt", "lte", "gt", "gte").contains(op)) {
      throw new IllegalArgumentException("unknown op " + op);
    }
  }

  public String name() {
    return metadata.name();
  }
}
