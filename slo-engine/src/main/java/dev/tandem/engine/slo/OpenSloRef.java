package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Objects;

/**
 * A reference by name to another OpenSLO object ({@code indicatorRef}, {@code alertPolicyRef},
 * {@code conditionRef}, {@code targetRef}).
 *
 * @param kind the kind it must name, e.g. {@code SLI}
 * @param field where it stands in its owner, as the OpenSLO Go SDK writes it:
 *     {@code spec.alertPolicies[0].spec.notificationTargets[1].targetRef}
 * @param owner the top-level object that holds it, e.g. {@code SLO 'my-slo'}
 * @param at where the referenced name stands
 */
public record OpenSloRef(String kind, String name, String field, String owner, SourceLocation at) {
  public OpenSloRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(at, "at");
  }
}
