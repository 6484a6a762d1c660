package dev.tandem.server.storage;

import dev.tandem.engine.slo.SloSpec;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.synthetics.Journey;
import dev.tandem.synthetics.Step;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The closed sets that the sink's tag values come from: clouds, paths, domains, the observer,
 * SLOs, journeys, steps and vantages, all taken from the configuration and the SLO and journey
 * files. A value outside its set (telemetry naming a journey this process does not know, say) is
 * written as {@value #OTHER} and counted, so that InfluxDB's series cardinality stays bounded by
 * the configuration. A tag whose set is empty (a process without synthetics has no journeys) is
 * not restricted; the other tags (result, recommendation, health, fault, role, window, tier,
 * severity) come from enums and SLO tier definitions.
 */
public final class InfluxTagValues {
  /** What a value outside its set is written as. */
  public static final String OTHER = "_other";

  private final Map<String, Set<String>> allowed;

  private InfluxTagValues(Map<String, Set<String>> allowed) {
    this.allowed = allowed;
  }

  /** No restriction (tools and tests that write what they are given). */
  public static InfluxTagValues unrestricted() {
    return new InfluxTagValues(Map.of());
  }

  /** Explicit sets per tag key. */
  public static InfluxTagValues of(Map<String, ? extends Collection<String>> sets) {
    Map<String, Set<String>> m = new TreeMap<>();
    sets.forEach((k, v) -> {
      if (!v.isEmpty()) {
        m.put(k, Set.copyOf(v));
      }
    });
    return new InfluxTagValues(Map.copyOf(m));
  }

  /** The sets a node's configuration, journeys and SLOs define. */
  public static InfluxTagValues from(TandemConfig config, Collection<Journey> journeys, Collection<SloSpec> slos) {
    Set<String> sloNames = new LinkedHashSet<>();
    for (SloSpec s : slos) {
      sloNames.add(s.name());
      // An sli observation names the SLO document; its objectives are "document/objective".
      sloNames.add(s.name().contains("/") ? s.name().substring(0, s.name().indexOf('/')) : s.name());
    }
    Set<String> steps = new LinkedHashSet<>();
    journeys.forEach(j -> j.steps().stream().map(Step::name).forEach(steps::add));
    return of(Map.of(
        "cloud", config.cloudRegions().keySet(),
        "path", config.paths().stream().map(TandemConfig.PathConfig::id).toList(),
        "domain", config.domains().stream().map(d -> d.id()).toList(),
        "observer", List.of(config.observer().id()),
        "slo", sloNames,
        "journey", journeys.stream().map(Journey::name).toList(),
        "step", steps,
        "vantage", config.synthetics().map(s -> s.vantages().stream().map(v -> v.id()).toList()).orElse(List.of())));
  }

  /** {@code value} if {@code tag} allows it (or is unrestricted), else null. */
  String check(String tag, String value) {
    Set<String> set = allowed.get(tag);
    return set == null || set.contains(value) ? value : null;
  }
}
