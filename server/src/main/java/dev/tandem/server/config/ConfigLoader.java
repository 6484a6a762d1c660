package dev.tandem.server.config;

import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.yaml.InvalidInputException;
import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SecretResolver;
import dev.tandem.engine.yaml.YamlFile;
import dev.tandem.engine.yaml.YamlMap;
import dev.tandem.engine.yaml.YamlNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads a Tandem configuration file (CONTRACTS.md section 2) and reports every problem with its
 * {@code FILE:LINE:COL}; unknown keys are errors.
 */
public final class ConfigLoader {
  private static final int MAX_PORT = 65_535;

  private final Function<String, String> env;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  public ConfigLoader() {
    this(System::getenv);
  }

  /** Loads the file, or throws with all its problems. */
  public TandemConfig load(Path file) throws InvalidInputException {
    Problems problems = new Problems();
    Optional<TandemConfig> config = read(file, problems);
    if (!problems.isEmpty() || config.isEmpty()) {
      throw new InvalidInputException(problems);
    }
    return config.get();
  }

  /** Reads the file, recording problems; the config is present when it could be built at all. */
  public Optional<TandemConfig> read(Path file, Problems problems) {
    Path absolute = file.toAbsolutePath().normalize();
    Path base = absolute.getParent();
    Optional<YamlNode> root = YamlFile.readConfig(absolute, problems, new SecretResolver(env, base));
    if (root.isEmpty()) {
      return Optional.empty();
    }
    YamlMap top = root.get().asMap("the configuration");

    Set<String> clouds = new LinkedHashSet<>();
    Map<String, String> regions = new LinkedHashMap<>();
    top.require("clouds").map(n -> n.asMap("'clouds'")).ifPresent(m -> {
      for (String id : m.keys()) {
        clouds.add(id);
        m.get(id).ifPresentOrElse(c -> {
          YamlMap cm = c.asMap("cloud '" + id + "'");
          regions.put(id, cm.string("region", ""));
          cm.rejectUnknown();
        }, () -> regions.put(id, ""));
      }
      if (clouds.size() != 2) {
        m.node().problem("'clouds' must name exactly two clouds (active and standby), found " + clouds.size());
      }
    });

    TandemConfig.Observer observer = top.require("observer").map(n -> {
      YamlMap m = n.asMap("'observer'");
      String id = m.requireString("id").orElse("observer");
      String cloud = m.requireString("cloud").orElse("");
      m.get("cloud").ifPresent(c -> checkCloud(c, cloud, clouds, "observer.cloud", true));
      m.rejectUnknown();
      return new TandemConfig.Observer(id, cloud);
    }).orElse(new TandemConfig.Observer("observer", ""));

    List<TandemConfig.Reference> references = new ArrayList<>();
    List<DomainSpec> domains = new ArrayList<>();
    Set<String> domainIds = new LinkedHashSet<>();
    for (YamlNode n : top.list("domains")) {
      YamlMap m = n.asMap("a domain");
      Optional<String> id = m.requireString("id");
      id.ifPresent(i -> {
        if (!domainIds.add(i)) {
          m.get("id").get().problem("duplicate domain id '" + i + "'");
        }
      });
      String active = m.requireString("active").orElse("");
      String standby = m.requireString("standby").orElse("");
      m.get("active").ifPresent(c -> checkCloud(c, active, clouds, "active", false));
      m.get("standby").ifPresent(c -> checkCloud(c, standby, clouds, "standby", false));
      if (!active.isEmpty() && active.equals(standby)) {
        m.get("standby").get().problem("standby must differ from active ('" + active + "')");
      }
      long rpo = m.integer("rpoSeconds", 60, 0, 86_400);
      String lagMetric = m.string("replicationLagMetric", "db.replication.lag");
      List<String> journeys = references(m, "journeys", "journey", references);
      List<String> slos = references(m, "slos", "SLO", references);
      m.rejectUnknown();
      if (id.isPresent() && clouds.contains(active) && clouds.contains(standby) && !active.equals(standby)) {
        domains.add(new DomainSpec(id.get(), active, standby, rpo, lagMetric, journeys, slos));
      }
    }
    if (!top.has("domains")) {
      // A process without domains only collects or probes; that is fine in production.
    }

    List<TandemConfig.PathConfig> paths = new ArrayList<>();
    Set<String> pathIds = new LinkedHashSet<>();
    Set<String> ports = new LinkedHashSet<>();
    for (YamlNode n : top.list("paths")) {
      YamlMap m = n.asMap("a path");
      Optional<String> id = m.requireString("id");
      id.ifPresent(i -> {
        if (!pathIds.add(i)) {
          m.get("id").get().problem("duplicate path id '" + i + "'");
        }
      });
      String cloud = m.requireString("cloud").orElse("");
      m.get("cloud").ifPresent(c -> checkCloud(c, cloud, clouds, "cloud", false));
      TandemConfig.Otlp otlp = m.require("otlp").map(o -> {
        YamlMap om = o.asMap("'otlp'");
        String host = om.string("host", "127.0.0.1");
        int http = (int) om.integer("httpPort", 4318, 0, MAX_PORT);
        int grpc = (int) om.integer("grpcPort", 4317, 0, MAX_PORT);
        for (String key : List.of("httpPort", "grpcPort")) {
          int port = key.equals("httpPort") ? http : grpc;
          if (port != 0 && !ports.add(host + ":" + port)) {
            om.get(key).ifPresent(p -> p.problem("port " + port + " on " + host + " is used twice"));
          }
        }
        om.rejectUnknown();
        return new TandemConfig.Otlp(host, http, grpc);
      }).orElse(new TandemConfig.Otlp("127.0.0.1", 0, 0));
      List<Secret> tokens = m.strings("tokens").stream().map(Secret::new).toList();
      m.rejectUnknown();
      id.ifPresent(i -> paths.add(new TandemConfig.PathConfig(i, cloud, otlp, tokens)));
    }

    Optional<TandemConfig.Synthetics> synthetics = top.map("synthetics").map(m -> {
      int interval = (int) m.integer("intervalSeconds", 10, 1, 3600);
      int timeout = (int) m.integer("timeoutSeconds", 5, 1, 600);
      if (timeout > interval) {
        m.get("timeoutSeconds").ifPresent(t -> t.problem("timeoutSeconds (" + timeout
            + ") must not exceed intervalSeconds (" + interval + ")"));
      }
      List<VantageSpec> vantages = new ArrayList<>();
      Set<String> vantageIds = new LinkedHashSet<>();
      for (YamlNode v : m.list("vantages")) {
        YamlMap vm = v.asMap("a vantage");
        Optional<String> id = vm.requireString("id");
        String provider = vm.requireString("provider").orElse("");
        String region = vm.string("region", "");
        vm.rejectUnknown();
        id.ifPresent(i -> {
          if (!vantageIds.add(i)) {
            vm.get("id").get().problem("duplicate vantage id '" + i + "'");
          } else {
            vantages.add(new VantageSpec(i, provider, region));
          }
        });
      }
      if (vantages.isEmpty()) {
        m.node().problem("'synthetics' needs at least one vantage");
      }
      Map<String, String> targets = new LinkedHashMap<>();
      m.require("targets").map(t -> t.asMap("'targets'")).ifPresent(tm -> {
        for (String cloud : tm.keys()) {
          tm.get(cloud).ifPresent(u -> {
            checkCloud(u, cloud, clouds, "target", false);
            u.asString("target '" + cloud + "'").ifPresent(url -> {
              if (checkUrl(u, url)) {
                targets.put(cloud, url);
              }
            });
          });
        }
      });
      List<Path> journeyFiles = globs(m, "journeys", base);
      Optional<String> vantage = m.string("vantage");
      m.get("vantage").ifPresent(v -> vantage.filter(id -> !vantageIds.contains(id)).ifPresent(id ->
          v.problem("vantage '" + id + "' is not one of synthetics.vantages (" + String.join(", ", vantageIds) + ")")));
      List<TandemConfig.Export> export = new ArrayList<>();
      for (YamlNode e : m.list("export")) {
        YamlMap em = e.asMap("an export target");
        String path = em.requireString("path").orElse("");
        if (!path.isEmpty() && !pathIds.contains(path)) {
          em.get("path").get().problem("path '" + path + "' is not one of paths (" + String.join(", ", pathIds) + ")");
        }
        String url = em.requireString("url").orElse("");
        em.get("url").ifPresent(u -> checkUrl(u, url));
        Optional<Secret> token = em.string("token").filter(t -> !t.isBlank()).map(Secret::new);
        em.rejectUnknown();
        export.add(new TandemConfig.Export(path, url, token));
      }
      Optional<TandemConfig.Follow> follow = m.map("follow").flatMap(fm -> {
        Optional<String> url = fm.requireString("url");
        fm.get("url").ifPresent(u -> url.ifPresent(v -> checkUrl(u, v)));
        Optional<Secret> token = fm.string("token").filter(t -> !t.isBlank()).map(Secret::new);
        fm.rejectUnknown();
        return url.map(u -> new TandemConfig.Follow(u, token));
      });
      m.rejectUnknown();
      return new TandemConfig.Synthetics(interval, timeout, vantages, targets, journeyFiles, vantage, export, follow);
    });

    List<Path> sloFiles = globs(top, "slos", base);

    TandemConfig.Engine engine = top.map("engine").map(m -> {
      int tick = (int) m.integer("tickSeconds", 10, 1, 3600);
      int holdDown = (int) m.integer("holdDownSeconds", 30, 0, 86_400);
      int quorum = (int) m.integer("quorum", 2, 1, 100);
      int window = (int) m.integer("probeWindowSeconds", 60, 1, 86_400);
      int silence = (int) m.integer("pathSilenceSeconds", 30, 1, 86_400);
      int staleness = (int) m.integer("replicationStalenessSeconds", 60, 1, 86_400);
      int antiFlap = (int) m.integer("antiFlapSeconds", Math.max(300, holdDown * 10), 0, 86_400);
      double brownout = m.number("brownoutErrorRate", EngineSettings.DEFAULT_BROWNOUT_ERROR_RATE, 0.001, 0.999);
      int skew = (int) m.integer("maxClockSkewSeconds", EngineSettings.DEFAULT_MAX_CLOCK_SKEW.toSeconds(), 1, 86_400);
      int recent = (int) m.integer("recentWindowSeconds", Math.max(1, window / 3), 1, window);
      int vantage = (int) m.integer("vantageWindowSeconds", window * 10L, window, 7L * 86_400);
      m.rejectUnknown();
      return new TandemConfig.Engine(tick, holdDown, quorum, window, silence, staleness, antiFlap, brownout, skew,
          recent, vantage);
    }).orElse(new TandemConfig.Engine(10, 30, 2, 60, 30, 60, 300, EngineSettings.DEFAULT_BROWNOUT_ERROR_RATE,
        (int) EngineSettings.DEFAULT_MAX_CLOCK_SKEW.toSeconds(), 20, 600));
    synthetics.ifPresent(s -> {
      int independent = (int) s.vantages().stream().map(v -> v.provider() + "/" + v.region()).distinct().count();
      if (independent < engine.quorum()) {
        top.get("engine").or(() -> top.get("synthetics")).ifPresent(n -> n.problem("engine.quorum is "
            + engine.quorum() + " but the vantages span only " + independent
            + " independent provider/region pairs: no outage could ever be confirmed"));
      }
    });

    java.time.Duration[] flap = {dev.tandem.engine.paging.PagingPolicy.DEFAULT_FLAP};
    Optional<TandemConfig.PagerDuty> pagerDuty = top.map("paging").flatMap(p -> {
      flap[0] = java.time.Duration.ofSeconds(p.integer("flapSeconds", flap[0].toSeconds(), 0, 86_400));
      Optional<TandemConfig.PagerDuty> pd = p.map("pagerduty").map(m -> {
        String url = m.string("url", "https://events.pagerduty.com/v2/enqueue");
        m.get("url").ifPresent(u -> checkUrl(u, url));
        Secret key = new Secret(m.requireString("routingKey").orElse(""));
        Optional<Secret> obsKey = m.string("observabilityRoutingKey").filter(s -> !s.isBlank()).map(Secret::new);
        m.rejectUnknown();
        return new TandemConfig.PagerDuty(url, key, obsKey);
      });
      p.rejectUnknown();
      return pd;
    });

    TandemConfig.Storage storage = top.map("storage").map(m -> {
      Path dir = base.resolve(m.string("dir", "tandem-data")).normalize();
      Optional<TandemConfig.Influx> influx = m.map("influx").map(im -> {
        String url = im.requireString("url").orElse("http://127.0.0.1:8086");
        im.get("url").ifPresent(u -> checkUrl(u, url));
        String db = im.string("database", "tandem");
        im.rejectUnknown();
        return new TandemConfig.Influx(url, db);
      });
      m.rejectUnknown();
      return new TandemConfig.Storage(dir, influx);
    }).orElse(new TandemConfig.Storage(base.resolve("tandem-data"), Optional.empty()));

    TandemConfig.Api api = top.map("api").map(m -> {
      String host = m.string("host", "127.0.0.1");
      int port = (int) m.integer("port", 8080, 0, MAX_PORT);
      List<Secret> read = m.strings("readTokens").stream().map(Secret::new).toList();
      List<Secret> admin = m.strings("adminTokens").stream().map(Secret::new).toList();
      m.rejectUnknown();
      return new TandemConfig.Api(host, port, read, admin);
    }).orElse(new TandemConfig.Api("127.0.0.1", 8080, List.of(), List.of()));

    Optional<Path> recording = top.map("recording").map(m -> {
      Path p = base.resolve(m.requireString("path").orElse("observations.jsonl")).normalize();
      m.rejectUnknown();
      return p;
    });

    List<TandemConfig.Maintenance> maintenance = new ArrayList<>();
    for (YamlNode n : top.list("maintenance")) {
      YamlMap m = n.asMap("a maintenance window");
      String id = m.string("id", "maintenance-" + (maintenance.size() + 1));
      String slo = m.string("slo").orElse(null);
      String cloud = m.string("cloud").orElse(null);
      m.get("cloud").ifPresent(c -> checkCloud(c, cloud, clouds, "cloud", false));
      java.time.Instant start = m.require("start").flatMap(v -> instant(v)).orElse(null);
      java.time.Instant end = m.require("end").flatMap(v -> instant(v)).orElse(null);
      String reason = m.string("reason", "");
      m.rejectUnknown();
      if (start != null && end != null) {
        if (!end.isAfter(start)) {
          m.get("end").get().problem("end must be after start");
        } else {
          maintenance.add(new TandemConfig.Maintenance(
              new dev.tandem.engine.budget.MaintenanceWindow(id, slo, cloud, start, end, reason), n.location()));
        }
      }
    }

    java.util.Set<TandemConfig.Role> roles = java.util.EnumSet.noneOf(TandemConfig.Role.class);
    if (top.has("roles")) {
      for (YamlNode r : top.list("roles")) {
        r.asString("a role").ifPresent(name -> {
          try {
            roles.add(TandemConfig.Role.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            r.problem("unknown role '" + name + "' (roles: collector, synthetics, engine)");
          }
        });
      }
      if (roles.contains(TandemConfig.Role.SYNTHETICS) && synthetics.isEmpty()) {
        top.get("roles").get().problem("role synthetics needs a 'synthetics' section");
      }
      if (roles.contains(TandemConfig.Role.COLLECTOR) && paths.isEmpty()) {
        top.get("roles").get().problem("role collector needs 'paths'");
      }
    } else {
      // Default: every role the configuration has material for.
      if (!paths.isEmpty()) {
        roles.add(TandemConfig.Role.COLLECTOR);
      }
      if (synthetics.isPresent()) {
        roles.add(TandemConfig.Role.SYNTHETICS);
      }
      roles.add(TandemConfig.Role.ENGINE);
    }
    if (roles.contains(TandemConfig.Role.ENGINE) && synthetics.flatMap(TandemConfig.Synthetics::follow).isPresent()) {
      top.get("synthetics").flatMap(n -> n.asMap("'synthetics'").get("follow")).ifPresent(n -> n.problem(
          "synthetics.follow is for probes-only processes (roles: [synthetics]): a process with the engine role is"
              + " told of switches by the failover controller"));
    }

    top.rejectUnknown();
    return Optional.of(new TandemConfig(absolute, observer, regions, domains, paths, synthetics,
        sloFiles, engine, pagerDuty, storage, api, recording, references, maintenance, roles, flap[0]));
  }

  private static Optional<java.time.Instant> instant(YamlNode n) {
    return n.asString("a time").flatMap(text -> {
      try {
        return Optional.of(java.time.OffsetDateTime.parse(text.trim()).toInstant());
      } catch (java.time.format.DateTimeParseException e) {
        n.problem("'" + text + "' is not an RFC 3339 time such as 2026-11-26T22:00:00Z");
        return Optional.empty();
      }
    });
  }

  private static List<String> references(YamlMap m, String key, String kind,
      List<TandemConfig.Reference> out) {
    List<String> names = new ArrayList<>();
    for (YamlNode n : m.list(key)) {
      n.asString("an item of '" + key + "'").ifPresent(name -> {
        names.add(name);
        out.add(new TandemConfig.Reference(kind, name, n.location()));
      });
    }
    return names;
  }

  private static void checkCloud(YamlNode at, String cloud, Set<String> clouds, String what, boolean allowOther) {
    if (!cloud.isEmpty() && !clouds.isEmpty() && !clouds.contains(cloud) && !allowOther) {
      at.problem(what + " names unknown cloud '" + cloud + "' (clouds: " + String.join(", ", clouds) + ")");
    }
  }

  private static boolean checkUrl(YamlNode at, String url) {
    try {
      URI uri = new URI(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        at.problem("'" + url + "' is not an http(s) URL");
        return false;
      }
      return true;
    } catch (java.net.URISyntaxException e) {
      at.problem("'" + url + "' is not a URL: " + e.getReason());
      return false;
    }
  }

  /** Expands a list of globs relative to the config's folder; a glob that matches nothing is a problem. */
  private static List<Path> globs(YamlMap m, String key, Path base) {
    List<Path> out = new ArrayList<>();
    for (YamlNode n : m.list(key)) {
      n.asString("an item of '" + key + "'").ifPresent(pattern -> {
        List<Path> matched = expand(base, pattern);
        if (matched.isEmpty()) {
          n.problem("'" + pattern + "' matches no file (relative to " + base + ")");
        }
        matched.stream().filter(p -> !out.contains(p)).forEach(out::add);
      });
    }
    return out;
  }

  static List<Path> expand(Path base, String pattern) {
    if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[") && !pattern.contains("{")) {
      Path p = base.resolve(pattern).normalize();
      return Files.isRegularFile(p) ? List.of(p) : List.of();
    }
    Path full = base.resolve(pattern).normalize();
    // Walk from the deepest folder without wildcards.
    Path root = full.getRoot();
    Path dir = root;
    for (Path part : full) {
      if (part.toString().matches(".*[*?\\[{].*")) {
        break;
      }
      dir = dir == null ? part : dir.resolve(part);
    }
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
    try (Stream<Path> walk = Files.walk(dir, 8)) {
      return walk.filter(Files::isRegularFile).filter(matcher::matches).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
