package dev.tandem.server.config;

import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.VantageSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated Tandem configuration (CONTRACTS.md section 2). Relative paths are already resolved
 * against the config file's folder; secrets are {@link Secret}s.
 */
public record TandemConfig(Path file, Observer observer, Map<String, String> cloudRegions,
    List<DomainSpec> domains, List<PathConfig> paths, Optional<Synthetics> synthetics,
    List<Path> sloFiles, Engine engine, Optional<PagerDuty> pagerDuty, Storage storage, Api api,
    Optional<Path> recording, List<Reference> references, List<Maintenance> maintenance,
    java.util.Set<Role> roles, java.time.Duration pagingFlap) {

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /** A configured maintenance window and where it stands. */
  public record Maintenance(dev.tandem.engine.budget.MaintenanceWindow window,
      dev.tandem.engine.yaml.SourceLocation at) {}

  /** A name the config uses that must exist elsewhere (a journey or an SLO), and where it stands. */
  public record Reference(String kind, String name, dev.tandem.engine.yaml.SourceLocation at) {}

  public record Observer(String id, String cloud) {}

  public record Otlp(String host, int httpPort, int grpcPort) {}

  public record PathConfig(String id, String cloud, Otlp otlp, List<Secret> tokens) {}

  /**
   * @param vantage when set, this process is that one vantage (one process per vantage)
   * @param export where probe traces go; empty = this process's own paths
   * @param follow an observer whose verdict stream tells this probes-only process the active cloud
   */
  public record Synthetics(int intervalSeconds, int timeoutSeconds, List<VantageSpec> vantages,
      Map<String, String> targets, List<Path> journeyFiles, Optional<String> vantage, List<Export> export,
      Optional<Follow> follow) {

    public Synthetics(int intervalSeconds, int timeoutSeconds, List<VantageSpec> vantages, Map<String, String> targets,
        List<Path> journeyFiles, Optional<String> vantage, List<Export> export) {
      this(intervalSeconds, timeoutSeconds, vantages, targets, journeyFiles, vantage, export, Optional.empty());
    }
  }

  /** An observer's API whose verdict stream a probes-only process follows; {@code token} reads it. */
  public record Follow(String url, Optional<Secret> token) {}

  /** A telemetry path probe traces are exported to, from a process that may not host it. */
  public record Export(String path, String url, Optional<Secret> token) {}

  /** The roles a process can run; the API (health, metrics) always runs. */
  public enum Role { COLLECTOR, SYNTHETICS, ENGINE }

  /**
   * The {@code engine} section.
   *
   * @param brownoutErrorRate journey-run failure rate (lower confidence bound) from which failures
   *     spread over a cloud are cloud-wide
   * @param maxClockSkewSeconds observations stamped further ahead are refused and counted
   * @param recentWindowSeconds the recent part of the probe window ("still failing now")
   * @param vantageWindowSeconds the window over which a vantage is compared with the others
   */
  public record Engine(int tickSeconds, int holdDownSeconds, int quorum, int probeWindowSeconds,
      int pathSilenceSeconds, int replicationStalenessSeconds, int antiFlapSeconds, double brownoutErrorRate,
      int maxClockSkewSeconds, int recentWindowSeconds, int vantageWindowSeconds) {}

  public record PagerDuty(String url, Secret routingKey, Optional<Secret> observabilityRoutingKey) {}

  public record Influx(String url, String database) {}

  public record Storage(Path dir, Optional<Influx> influx) {}

  public record Api(String host, int port, List<Secret> readTokens, List<Secret> adminTokens) {}

  /** The same config with every listening port (API, OTLP paths) chosen by the OS. */
  public TandemConfig withEphemeralPorts() {
    List<PathConfig> ephemeral = paths.stream().map(p -> new PathConfig(p.id(), p.cloud(),
        new Otlp(p.otlp().host(), 0, 0), p.tokens())).toList();
    return new TandemConfig(file, observer, cloudRegions, domains, ephemeral, synthetics, sloFiles, engine,
        pagerDuty, storage, new Api(api.host(), 0, api.readTokens(), api.adminTokens()), recording,
        references, maintenance, roles, pagingFlap);
  }

  public TandemConfig withStorageDir(Path dir) {
    return new TandemConfig(file, observer, cloudRegions, domains, paths, synthetics, sloFiles, engine,
        pagerDuty, new Storage(dir, storage.influx()), api, recording, references, maintenance, roles, pagingFlap);
  }

  public TandemConfig withInflux(Influx influx) {
    return new TandemConfig(file, observer, cloudRegions, domains, paths, synthetics, sloFiles, engine,
        pagerDuty, new Storage(storage.dir(), Optional.of(influx)), api, recording, references, maintenance, roles, pagingFlap);
  }

  public TandemConfig withApiPort(int port) {
    return new TandemConfig(file, observer, cloudRegions, domains, paths, synthetics, sloFiles, engine,
        pagerDuty, storage, new Api(api.host(), port, api.readTokens(), api.adminTokens()), recording,
        references, maintenance, roles, pagingFlap);
  }
}
