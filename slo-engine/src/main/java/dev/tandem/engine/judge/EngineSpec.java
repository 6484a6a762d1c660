package dev.tandem.engine.judge;

import dev.tandem.engine.verdict.ObserverIdentity;
import java.util.List;
import java.util.Objects;

/** Everything the engine needs to know about the deployment it judges. */
public record EngineSpec(ObserverIdentity observer, List<String> clouds, List<DomainSpec> domains,
    List<VantageSpec> vantages, List<PathSpec> paths, EngineSettings settings) {
  public EngineSpec {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(settings, "settings");
    clouds = List.copyOf(clouds);
    domains = List.copyOf(domains);
    vantages = List.copyOf(vantages);
    paths = List.copyOf(paths);
    for (DomainSpec d : domains) {
      if (!clouds.contains(d.active()) || !clouds.contains(d.standby())) {
        throw new IllegalArgumentException("domain " + d.id() + " names an unknown cloud");
      }
    }
  }
}
