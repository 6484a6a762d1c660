package dev.tandem.controller.service;

import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.FailoverPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated controller configuration (docs/failover-controller.md). Relative paths are resolved
 * against the config file's folder; tokens are {@link Token}s.
 *
 * @param observers the Tandem observers whose verdicts count
 * @param domains the failover domains, their clouds and the cloud active at start
 * @param quorum how many observers must recommend FAILOVER
 * @param pollInterval how often every observer is read
 * @param timeout how long one observer may take to answer
 * @param antiFlap no switch of a domain within this long after the previous one
 * @param gateFile while this file exists, no switch happens
 * @param simulatorAdminUrl the platform simulator's admin API: the traffic switch
 * @param decisionLog the append-only JSON-lines log of decisions
 * @param reportAttempts how many times a switch report is tried per observer
 * @param api the controller's own HTTP endpoint ({@code /metrics}, {@code /status}, the gate)
 */
public record ControllerConfig(Path file, List<Observer> observers, List<DomainPolicy> domains, int quorum,
    Duration pollInterval, Duration timeout, Duration antiFlap, Optional<Path> gateFile, String simulatorAdminUrl,
    Path decisionLog, int reportAttempts, Api api) {

  /** One observer: its id (as stamped on its verdicts), base URL and optional admin token. */
  public record Observer(String id, String url, Optional<Token> token) {}

  /** Where the controller listens; the admin token guards the gate. */
  public record Api(String host, int port, Optional<Token> adminToken) {}

  public FailoverPolicy policy() {
    return new FailoverPolicy(observers.stream().map(Observer::id).toList(), quorum, antiFlap, domains);
  }

  /** The same config listening on a port the OS picks. */
  public ControllerConfig withEphemeralPort() {
    return new ControllerConfig(file, observers, domains, quorum, pollInterval, timeout, antiFlap, gateFile,
        simulatorAdminUrl, decisionLog, reportAttempts, new Api(api.host(), 0, api.adminToken()));
  }
}
