package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An OpenSLO object's {@code metadata}.
 *
 * @param name an RFC 1123 label (lowercase letters, digits and '-', at most 63), unique per kind
 * @param displayName free text, or null
 * @param labels each label holds one or more values (OpenSLO accepts a string or a list)
 * @param at where the name stands
 */
public record OpenSloMetadata(String name, String displayName, Map<String, List<String>> labels,
    Map<String, String> annotations, SourceLocation at) {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public OpenSloMetadata {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(at, "at");
    if (!isName(name)) {
      throw new IllegalArgumentException("not an OpenSLO name: '" + name + "'");
    }
    Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
    labels.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    labels = java.util.Collections.unmodifiableMap(copy);
    annotations = Map.copyOf(annotations);
  }

  /** Whether {@code text} is a valid OpenSLO object name (RFC 1123 label). */
  public static boolean isName(String text) {
    return DNS_LABEL.matcher(text).matches();
  }

  /** The display name, or the name when there is none. */
  public String title() {
    return displayName == null || displayName.isBlank() ? name : displayName;
  }
}
