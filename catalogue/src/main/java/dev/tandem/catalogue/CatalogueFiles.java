package dev.tandem.catalogue;

import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.VantageSpec;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the catalogue to a folder a user can replay: a Tandem config describing {@link Fleet}
 * (with its journeys and OpenSLO files) and one observation log per case, so that
 * {@code tandem replay --config DIR/tandem.yaml --input DIR/CASE.jsonl} gives what the catalogue's
 * tests assert.
 */
public final class CatalogueFiles {
  /** The config's file name in the folder. */
  public static final String CONFIG = "tandem.yaml";

  /** One log written. */
  public record Written(GrayFailure failure, Path log, long observations) {}

  private CatalogueFiles() {}

  /** Writes the config, journeys and SLOs, then a log per case in {@code cases}. */
  public static List<Written> write(Path dir, List<GrayFailure> cases, Duration history, long seed) throws IOException {
    Files.createDirectories(dir.resolve("journeys"));
    Files.createDirectories(dir.resolve("slos"));
    Files.writeString(dir.resolve(CONFIG), config(), StandardCharsets.UTF_8);
    for (Fleet.Journey j : Fleet.JOURNEYS) {
      Files.writeString(dir.resolve("journeys").resolve(j.name() + ".yaml"), journey(j), StandardCharsets.UTF_8);
    }
    Files.writeString(dir.resolve("slos").resolve("catalogue-slos.yaml"), slos(), StandardCharsets.UTF_8);
    List<Written> out = new ArrayList<>();
    for (GrayFailure c : cases) {
      Path log = dir.resolve(c.id() + ".jsonl");
      try (Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        out.add(new Written(c, log, CatalogueLog.write(c, history, seed, w)));
      }
    }
    return out;
  }

  /** The catalogue's observer as a Tandem config (the targets are never called: replay only). */
  static String config() {
    EngineSettings s = Fleet.settings();
    StringBuilder y = new StringBuilder();
    y.append("# The gray-failure catalogue's observer (written by `tandem catalogue`): replay its logs with\n")
        .append("#   tandem replay --config tandem.yaml --input CASE.jsonl\n")
        .append("observer: {id: obs-catalogue, cloud: outside}\n")
        .append("clouds: {").append(Fleet.PRIMARY).append(": {region: eu-west}, ").append(Fleet.SECONDARY)
        .append(": {region: eu-central}}\n")
        .append("domains:\n")
        .append("  - id: ").append(Fleet.DOMAIN).append('\n')
        .append("    active: ").append(Fleet.PRIMARY).append('\n')
        .append("    standby: ").append(Fleet.SECONDARY).append('\n')
        .append("    rpoSeconds: 60\n")
        .append("    replicationLagMetric: db.replication.lag\n")
        .append("    journeys: [").append(String.join(", ", Fleet.JOURNEYS.stream().map(Fleet.Journey::name).toList()))
        .append("]\n")
        .append("    slos: [").append(Fleet.ORDER_SLO).append(", ").append(Fleet.ALLOCATION_SLO).append(", ")
        .append(Fleet.LATENCY_SLO).append("]\n")
        .append("paths:\n");
    Fleet.PATHS.forEach(p -> y.append("  - {id: ").append(p.id()).append(", cloud: ").append(p.cloud())
        .append(", otlp: {host: 127.0.0.1, httpPort: 0}}\n"));
    y.append("synthetics:\n")
        .append("  intervalSeconds: ").append(Fleet.INTERVAL.toSeconds()).append('\n')
        .append("  timeoutSeconds: ").append(Fleet.TIMEOUT.toSeconds()).append('\n')
        .append("  vantages:\n");
    for (VantageSpec v : Fleet.VANTAGES) {
      y.append("    - {id: ").append(v.id()).append(", provider: ").append(v.provider()).append(", region: ")
          .append(v.region()).append("}\n");
    }
    y.append("  targets: {").append(Fleet.PRIMARY).append(": \"http://127.0.0.1:9001\", ").append(Fleet.SECONDARY)
        .append(": \"http://127.0.0.1:9002\"}\n")
        .append("  journeys: [\"journeys/*.yaml\"]\n")
        .append("slos: [\"slos/*.yaml\"]\n")
        .append("engine: {tickSeconds: ").append(s.tick().toSeconds())
        .append(", holdDownSeconds: ").append(s.holdDown().toSeconds())
        .append(", quorum: ").append(s.quorum())
        .append(", probeWindowSeconds: ").append(s.probeWindow().toSeconds())
        .append(", pathSilenceSeconds: ").append(s.pathSilence().toSeconds())
        .append(", replicationStalenessSeconds: ").append(s.replicationStaleness().toSeconds())
        .append(", antiFlapSeconds: ").append(s.antiFlap().toSeconds())
        .append(", brownoutErrorRate: ").append(String.format(Locale.ROOT, "%s", s.brownoutErrorRate()))
        .append(", maxClockSkewSeconds: ").append(s.maxClockSkew().toSeconds())
        .append(", recentWindowSeconds: ").append(s.recentWindow().toSeconds())
        .append(", vantageWindowSeconds: ").append(s.vantageWindow().toSeconds()).append("}\n");
    return y.toString();
  }

  static String journey(Fleet.Journey j) {
    StringBuilder y = new StringBuilder();
    y.append("journey: ").append(j.name()).append('\n')
        .append("roles: [").append(j.role()).append("]\n")
        .append("steps:\n");
    for (String step : j.steps()) {
      y.append("  - name: ").append(step).append('\n');
      if (j.always().contains(step)) {
        y.append("    always: true\n");
      }
      if (j.nonCritical().contains(step)) {
        y.append("    critical: false\n");
      }
      y.append("    request: {method: GET, path: /").append(j.name()).append('/').append(step).append("}\n");
    }
    return y.toString();
  }

  static String slos() {
    return slo(Fleet.ORDER_SLO, "Order journey availability", "0.999",
        "{source: probe, journey: " + Fleet.ORDER.name() + "}", null)
        + "---\n" + slo(Fleet.ALLOCATION_SLO, "Allocation availability", "0.999",
        "{source: probe, journey: " + Fleet.ORDER.name() + ", step: allocate}", null)
        + "---\n" + slo(Fleet.LATENCY_SLO, "Order journey latency", "0.99",
        "{source: probe, journey: " + Fleet.ORDER.name() + "}", Fleet.LATENCY_THRESHOLD_MS);
  }

  private static String slo(String name, String display, String target, String spec, Long latencyMs) {
    StringBuilder y = new StringBuilder();
    y.append("apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: ").append(name).append("\n  displayName: ")
        .append(display).append("\nspec:\n  service: order-platform\n  indicator:\n    metadata:\n      name: ")
        .append(name).append("-sli\n    spec:\n");
    if (latencyMs == null) {
      y.append("      ratioMetric:\n        counter: true\n        good:\n          metricSource:\n")
          .append("            type: tandem\n            spec: ").append(spec).append('\n')
          .append("        total:\n          metricSource:\n            type: tandem\n            spec: ")
          .append(spec).append('\n');
    } else {
      y.append("      thresholdMetric:\n        metricSource:\n          type: tandem\n          spec: ").append(spec)
          .append('\n');
    }
    y.append("  timeWindow:\n    - duration: 28d\n      isRolling: true\n  budgetingMethod: Occurrences\n")
        .append("  objectives:\n    - displayName: ").append(display).append('\n');
    if (latencyMs != null) {
      y.append("      op: lt\n      value: ").append(latencyMs).append('\n');
    }
    y.append("      target: ").append(target).append('\n');
    return y.toString();
  }
}
