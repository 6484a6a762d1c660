package dev.tandem.controller.service;

import dev.tandem.controller.DomainPolicy;
import dev.tandem.engine.yaml.InvalidInputException;
import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SecretResolver;
import dev.tandem.engine.yaml.YamlFile;
import dev.tandem.engine.yaml.YamlMap;
import dev.tandem.engine.yaml.YamlNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a controller configuration and reports every problem as {@code FILE:LINE:COL: message};
 * unknown keys are errors. Any string may be {@code ${env:NAME}} or {@code ${file:PATH}}.
 */
public final class ControllerConfigLoader {

  private final Function<String, String> env;

  public ControllerConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** Loads the file, or throws with all its problems. */
  public ControllerConfig load(Path file) throws InvalidInputException {
    Problems problems = new Problems();
    Optional<ControllerConfig> config = read(file, problems);
    if (!problems.isEmpty() || config.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return config.get();
  }

  /** Reads the file, recording problems; the config is present when it could be built at all. */
  public Optional<ControllerConfig> read(Path file, Problems problems) {
    Path absolute = file.toAbsolutePath().normalize();
    Path base = absolute.getParent();
    Optional<YamlNode> root = YamlFile.readConfig(absolute, problems, new SecretResolver(env, base));
    if (root.isEmpty()) {
      return Optional.empty();
    }
    YamlMap top = root.get().asMap("the controller configuration");

    List<ControllerConfig.Observer> observers = new ArrayList<>();
    Set<String> observerIds = new LinkedHashSet<>();
    Map<String, String> observerUrls = new HashMap<>();
    top.require("observers");
    List<YamlNode> observerNodes = top.list("observers");
    int observerEntries = observerNodes.size();
    for (YamlNode n : observerNodes) {
      YamlMap m = n.asMap("an observer");
      Optional<String> id = m.requireString("id");
      Optional<String> url = m.requireString("url");
      m.get("url").ifPresent(u -> url.ifPresent(v -> checkUrl(u, v, "url")));
      Optional<Token> token = m.get("token").flatMap(t -> t.asString("token")).map(Token::new);
      m.rejectUnknown();
      id.ifPresent(i -> {
        if (!observerIds.add(i)) {
          m.get("id").get().problem("duplicate observer id '" + i + "'");
        }
      });
      // Two entries reaching the same observer would give its one view two votes.
      if (id.isPresent() && url.isPresent()) {
        String same = observerUrls.putIfAbsent(sameObserverKey(url.get()), id.get());
        if (same != null) {
          m.get("url").get().problem("observer '" + id.get() + "' has the same url as observer '" + same
              + "': one observer must not vote twice");
        }
      }
      if (id.isPresent() && url.isPresent()) {
        try {
          observers.add(new ControllerConfig.Observer(id.get(), strip(url.get()), token));
        } catch (IllegalArgumentException e) {
          // A bad url has been reported by checkUrl, at the url; what is left is the id.
          if (id.get().isBlank()) {
            m.get("id").orElse(m.node()).problem(e.getMessage());
          }
        }
      }
    }
    if (top.has("observers") && observers.isEmpty() && problems.isEmpty()) {
      top.get("observers").get().problem("at least one observer is needed");
    }

    List<DomainPolicy> domains = new ArrayList<>();
    top.require("domains");
    for (YamlNode n : top.list("domains")) {
      YamlMap m = n.asMap("a domain");
      Optional<String> id = m.requireString("id");
      List<String> clouds = m.strings("clouds");
      if (!m.has("clouds")) {
        m.node().problem("missing key 'clouds' (the clouds that may serve the domain)");
      }
      Optional<String> active = m.requireString("active");
      m.rejectUnknown();
      if (id.isPresent() && active.isPresent() && m.has("clouds")) {
        try {
          domains.add(new DomainPolicy(id.get(), clouds, active.get()));
        } catch (IllegalArgumentException e) {
          m.node().problem(e.getMessage());
        }
      }
    }

    long quorum = top.integer("quorum", 2, 1, 100);
    boolean allowMinority = top.bool("allowMinorityQuorum", false);
    if (observerEntries > 0 && quorum > observerEntries) {
      top.get("quorum").orElse(top.node()).problem("quorum " + quorum + " is more than the "
          + observerEntries + " observers configured");
    } else if (observerEntries > 0 && !allowMinority
        && !ControllerConfig.isMajority((int) quorum, observerEntries)) {
      // Where the quorum is written, or, for the default, where the observers are.
      top.get("quorum").orElse(top.get("observers").orElse(top.node())).problem(
          (top.has("quorum") ? "" : "the default ") + ControllerConfig.minorityQuorumProblem((int) quorum,
              observerEntries));
    }
    double poll = top.number("pollIntervalSeconds", 2, 0.05, 3600);
    double timeout = top.number("timeoutSeconds", 2, 0.05, 600);
    long antiFlap = top.integer("antiFlapSeconds", 300, 0, 7 * 86_400);
    Optional<Path> gate = top.string("gateFile").map(base::resolve);
    long attempts = top.integer("reportAttempts", 5, 1, 20);
    String simulator = "";
    Optional<YamlMap> sw = top.map("switch");
    if (sw.isEmpty()) {
      top.node().problem("missing key 'switch' (how traffic is switched, e.g. switch: {simulator: URL})");
    } else {
      Optional<String> url = sw.get().requireString("simulator");
      sw.get().get("simulator").ifPresent(u -> url.ifPresent(v -> checkUrl(u, v, "switch.simulator")));
      simulator = url.map(ControllerConfigLoader::strip).orElse("");
      sw.get().rejectUnknown();
    }
    Path log = base.resolve(top.string("decisionLog", "controller-decisions.jsonl"));
    String id = top.string("id", ControllerConfig.DEFAULT_ID);
    if (!ControllerConfig.ID.matcher(id).matches()) {
      top.get("id").orElse(top.node()).problem(ControllerConfig.idProblem(id));
    }
    ControllerConfig.Api api = top.map("api").map(m -> {
      String host = m.string("host", "127.0.0.1");
      int port = (int) m.integer("port", 8090, 0, 65_535);
      Optional<Token> admin = m.get("adminToken").flatMap(t -> t.asString("adminToken")).map(Token::new);
      m.rejectUnknown();
      if (host.isBlank()) {
        m.get("host").orElse(m.node()).problem("api host must not be blank");
        return null;
      }
      return new ControllerConfig.Api(host, port, admin);
    }).orElse(new ControllerConfig.Api("127.0.0.1", 8090, Optional.empty()));
    top.rejectUnknown();
    if (!problems.isEmpty() || observers.isEmpty() || domains.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ControllerConfig(absolute, observers, domains, (int) quorum,
          Duration.ofMillis(Math.round(poll * 1000)), Duration.ofMillis(Math.round(timeout * 1000)),
          Duration.ofSeconds(antiFlap), gate, simulator, log, (int) attempts, api, allowMinority, id));
    } catch (IllegalArgumentException e) {
      top.node().problem(e.getMessage()); // every rule is checked above with its place; this is a last net
      return Optional.empty();
    }
  }

  /**
   * An http(s) URL without credentials. A URL is shown on {@code /status} and in problem texts
   * (decision log, logs), so user-info in it would publish a password; tokens go in {@code token:}.
   * Messages never repeat a URL that carries user-info.
   */
  private static void checkUrl(YamlNode node, String value, String what) {
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      node.problem(what + " is not a URL" + (value.contains("@") ? "" : ": '" + value + "'"));
      return;
    }
    if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      node.problem(what + " must not carry credentials (user:password@): they would be shown on /status and in"
          + " logs; put a bearer token in 'token:' instead");
      return;
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      node.problem(what + " must be an http(s) URL, found '" + value + "'");
    }
  }

  /** The scheme, host, port and path of a URL, for spotting two entries that name the same observer. */
  private static String sameObserverKey(String url) {
    try {
      URI u = URI.create(strip(url));
      String scheme = String.valueOf(u.getScheme()).toLowerCase(Locale.ROOT);
      int port = u.getPort() >= 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
      String path = u.getPath() == null ? "" : u.getPath();
      return scheme + "://" + String.valueOf(u.getHost()).toLowerCase(Locale.ROOT) + ":" + port + strip(path);
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  private static String strip(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
