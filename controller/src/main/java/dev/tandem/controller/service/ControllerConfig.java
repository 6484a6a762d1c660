package dev.tandem.controller.service;

import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.FailoverPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 * @param allowMinorityQuorum lets {@code quorum} be at or below half of the observers. Refused
 *     otherwise: with such a quorum two disjoint groups of observers (say both sides of a network
 *     partition) can each switch on their own view, so a minority can move traffic.
 * @param id the controller's name, sent with every switch report ({@code "by"}): the observers
 *     write it into their observation log and remember it with the switch
 */
public record ControllerConfig(Path file, List<Observer> observers, List<DomainPolicy> domains, int quorum,
    Duration pollInterval, Duration timeout, Duration antiFlap, Optional<Path> gateFile, String simulatorAdminUrl,
    Path decisionLog, int reportAttempts, Api api, boolean allowMinorityQuorum, String id) {

  /** The controller's name when the configuration gives none. */
  public static final String DEFAULT_ID = "tandem-controller";
  /** What a controller's id may be (what an observer accepts as {@code by}). */
  static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:@/+-]{1,128}");

  /** Named {@link #DEFAULT_ID}. */
  public ControllerConfig(Path file, List<Observer> observers, List<DomainPolicy> domains, int quorum,
      Duration pollInterval, Duration timeout, Duration antiFlap, Optional<Path> gateFile, String simulatorAdminUrl,
      Path decisionLog, int reportAttempts, Api api, boolean allowMinorityQuorum) {
    this(file, observers, domains, quorum, pollInterval, timeout, antiFlap, gateFile, simulatorAdminUrl, decisionLog,
        reportAttempts, api, allowMinorityQuorum, DEFAULT_ID);
  }

  /** With {@code allowMinorityQuorum} off: the quorum must be a majority of the observers. */
  public ControllerConfig(Path file, List<Observer> observers, List<DomainPolicy> domains, int quorum,
      Duration pollInterval, Duration timeout, Duration antiFlap, Optional<Path> gateFile, String simulatorAdminUrl,
      Path decisionLog, int reportAttempts, Api api) {
    this(file, observers, domains, quorum, pollInterval, timeout, antiFlap, gateFile, simulatorAdminUrl, decisionLog,
        reportAttempts, api, false);
  }

  public ControllerConfig {
    observers = List.copyOf(observers);
    domains = List.copyOf(domains);
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(antiFlap, "antiFlap");
    Objects.requireNonNull(gateFile, "gateFile");
    Objects.requireNonNull(simulatorAdminUrl, "simulatorAdminUrl");
    Objects.requireNonNull(decisionLog, "decisionLog");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(id, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(idProblem(id));
    }
    if (pollInterval.isZero() || pollInterval.isNegative() || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("pollInterval and timeout must be positive, got " + pollInterval + " and "
          + timeout);
    }
    if (reportAttempts < 1) {
      throw new IllegalArgumentException("reportAttempts must be at least 1, got " + reportAttempts);
    }
    if (!simulatorAdminUrl.isEmpty()) {
      checkUrl(simulatorAdminUrl, "switch.simulator");
    }
    Set<String> ids = new HashSet<>();
    for (Observer o : observers) {
      if (!ids.add(o.id())) {
        throw new IllegalArgumentException("duplicate observer id '" + o.id() + "'");
      }
    }
    policy(observers, quorum, antiFlap, domains); // quorum, anti-flap and domains are checked there
    if (!allowMinorityQuorum && !isMajority(quorum, observers.size())) {
      throw new IllegalArgumentException(minorityQuorumProblem(quorum, observers.size()));
    }
  }

  static String idProblem(String id) {
    return "id must be 1 to 128 letters, digits or ._:@/+- (it is sent to the observers as 'by'), got '"
        + (id.length() > 40 ? id.substring(0, 40) + "..." : id) + "'";
  }

  /** True when {@code quorum} is more than half of {@code observers}. */
  static boolean isMajority(int quorum, int observers) {
    return 2L * quorum > observers;
  }

  /** Why a quorum that is not a majority is refused, and how to allow it anyway. */
  static String minorityQuorumProblem(int quorum, int observers) {
    return "quorum " + quorum + " is not a majority of the " + observers + " observers (at least " + (observers / 2 + 1)
        + " needed): two disjoint groups of observers could each switch on their own view; raise the quorum, or set"
        + " allowMinorityQuorum: true to accept that risk";
  }

  /** True when the quorum is a minority that {@code allowMinorityQuorum} lets through. */
  public boolean minorityQuorum() {
    return !isMajority(quorum, observers.size());
  }

  /** What the controller warns about at every start while a minority quorum is allowed. */
  public Optional<String> minorityQuorumWarning() {
    if (!minorityQuorum()) {
      return Optional.empty();
    }
    return Optional.of("allowMinorityQuorum is set in " + file + " and the quorum " + quorum + " is not a majority of"
        + " the " + observers.size() + " observers: two disjoint groups of observers can each switch traffic");
  }

  /**
   * One observer: its id (as stamped on its verdicts), base URL and optional admin token. The URL
   * carries no credentials: it is shown on {@code /status} and in problem texts.
   */
  public record Observer(String id, String url, Optional<Token> token) {
    public Observer {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(token, "token");
      if (id.isBlank()) {
        throw new IllegalArgumentException("observer id must not be blank");
      }
      checkUrl(url, "observer " + id + " url");
    }
  }

  /** Where the controller listens; the admin token guards the gate. */
  public record Api(String host, int port, Optional<Token> adminToken) {
    public Api {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(adminToken, "adminToken");
      if (host.isBlank()) {
        throw new IllegalArgumentException("api host must not be blank");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("api port must be 0-65535, got " + port);
      }
    }
  }

  /** The rules the decision core applies: observer ids, quorum, anti-flap and domains. */
  public FailoverPolicy policy() {
    return policy(observers, quorum, antiFlap, domains);
  }

  private static FailoverPolicy policy(List<Observer> observers, int quorum, Duration antiFlap,
      List<DomainPolicy> domains) {
    return new FailoverPolicy(observers.stream().map(Observer::id).toList(), quorum, antiFlap, domains);
  }

  /** An http(s) URL without user-info; the message never repeats a URL that may hold a password. */
  private static void checkUrl(String url, String what) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not a URL");
    }
    if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      throw new IllegalArgumentException(what + " must not carry credentials (user:password@)");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException(what + " must be an http(s) URL");
    }
  }


  /** The same config listening on a port the OS picks. */
  public ControllerConfig withEphemeralPort() {
    return new ControllerConfig(file, observers, domains, quorum, pollInterval, timeout, antiFlap, gateFile,
        simulatorAdminUrl, decisionLog, reportAttempts, new Api(api.host(), 0, api.adminToken()), allowMinorityQuorum,
        id);
  }
}
