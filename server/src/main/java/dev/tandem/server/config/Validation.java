package dev.tandem.server.config;

import dev.tandem.engine.slo.OpenSloCatalog;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SourceLocation;
import dev.tandem.synthetics.Journey;
import dev.tandem.synthetics.JourneyParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a config names, checked together: the config itself, each journey file, each SLO
 * file, and the references between them. Every problem is collected, none thrown.
 */
public final class Validation {
  /** The result: the config (when it could be read), its journeys and SLO index, and all problems. */
  public record Result(Optional<TandemConfig> config, Map<String, Journey> journeys,
      OpenSloCatalog slos, List<SloSpec> sloSpecs, Problems problems) {
    public boolean ok() {
      return problems.isEmpty() && config.isPresent();
    }
  }

  private Validation() {}

  public static Result check(Path configFile, ConfigLoader loader) {
    Problems problems = new Problems();
    Optional<TandemConfig> config = loader.read(configFile, problems);
    Map<String, Journey> journeys = new LinkedHashMap<>();
    OpenSloCatalog slos = OpenSloCatalog.read(config.map(TandemConfig::sloFiles).orElse(List.of()), problems);
    List<SloSpec> specs = slos.compile(problems);
    if (config.isEmpty()) {
      return new Result(config, journeys, slos, specs, problems);
    }
    Map<String, Path> journeyFiles = new LinkedHashMap<>();
    for (Path file : config.get().synthetics().map(TandemConfig.Synthetics::journeyFiles).orElse(List.of())) {
      JourneyParser.parse(file, problems).ifPresent(j -> {
        Path previous = journeyFiles.putIfAbsent(j.name(), file);
        if (previous != null) {
          problems.add(new SourceLocation(file, 1, 1), "journey '" + j.name()
              + "' is also defined in " + previous);
        } else {
          journeys.put(j.name(), j);
        }
      });
    }
    Set<String> sloNames = slos.names("SLO");
    boolean journeysKnown = config.get().synthetics().isPresent();
    for (TandemConfig.Reference ref : config.get().references()) {
      if (ref.kind().equals("journey") && journeysKnown && !journeys.containsKey(ref.name())) {
        problems.add(ref.at(), "journey '" + ref.name() + "' is not defined in any journey file"
            + (journeys.isEmpty() ? "" : " (defined: " + String.join(", ", journeys.keySet()) + ")"));
      }
      if (ref.kind().equals("SLO") && !sloNames.contains(ref.name())) {
        problems.add(ref.at(), "SLO '" + ref.name() + "' is not defined in any SLO file"
            + (sloNames.isEmpty() ? "" : " (defined: " + String.join(", ", sloNames) + ")"));
      }
    }
    for (var m : config.get().maintenance()) {
      if (m.window().slo() != null && !sloNames.contains(m.window().slo())) {
        problems.add(m.at(), "maintenance window '" + m.window().id() + "' names unknown SLO '"
            + m.window().slo() + "'");
      }
    }
    return new Result(config, journeys, slos, specs, problems);
  }
}
