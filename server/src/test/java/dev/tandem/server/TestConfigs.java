package dev.tandem.server;

import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Configs for tests: the demo's journeys and SLOs, fast timings, every port chosen by the OS. */
public final class TestConfigs {
  /** The repository's demo folder (tests run in the server module's folder). */
  public static final Path DEMO = Path.of("..", "examples", "demo").toAbsolutePath().normalize();

  private TestConfigs() {}

  /**
   * A fast demo config in {@code dir}; {@code extra} is appended at the top level. The demo's SLOs
   * are copied into {@code dir/slos} with a 2-hour window instead of 28 days: their burn windows
   * are then seconds long (page-fast: 10 s and 1 s) and fill within a test, so a burn reaches a
   * paging tier as soon as real budget is spent, not minutes later.
   */
  public static Path fastDemo(Path dir, String extra) throws IOException {
    Path slos = Files.createDirectories(dir.resolve("slos"));
    try (var files = Files.list(DEMO.resolve("slos"))) {
      for (Path f : files.toList()) {
        Files.writeString(slos.resolve(f.getFileName()), Files.readString(f).replace("duration: 28d", "duration: 2h"));
      }
    }
    String yaml = """
        observer: {id: obs-test, cloud: primary}
        clouds:
          primary: {region: eu-west}
          secondary: {region: eu-central}
        domains:
          - id: order-platform
            active: primary
            standby: secondary
            rpoSeconds: 60
            journeys: [order-to-invoice, stock-lookup, standby-readiness]
            slos: [order-submission-availability, inventory-api-availability]
        paths:
          - {id: path-a, cloud: primary,   otlp: {host: 127.0.0.1, httpPort: 0, grpcPort: 0}}
          - {id: path-b, cloud: secondary, otlp: {host: 127.0.0.1, httpPort: 0, grpcPort: 0}}
        synthetics:
          intervalSeconds: 1
          timeoutSeconds: 1
          vantages:
            - {id: ext-1, provider: third-party, region: eu}
            - {id: in-primary, provider: primary, region: eu-west}
            - {id: in-secondary, provider: secondary, region: eu-central}
          targets: {primary: "http://127.0.0.1:1", secondary: "http://127.0.0.1:2"}
          journeys: ["%s/journeys/*.yaml"]
        slos: ["slos/*.yaml"]
        engine: {tickSeconds: 1, holdDownSeconds: 3, quorum: 2, probeWindowSeconds: 10, pathSilenceSeconds: 6}
        storage: {dir: data}
        api: {host: 127.0.0.1, port: 0}
        """.formatted(DEMO) + extra;
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  public static Validation.Result load(Path file) {
    Validation.Result result = Validation.check(file, new ConfigLoader(name -> null));
    if (!result.ok()) {
      throw new IllegalStateException("test config has problems:\n" + result.problems());
    }
    return result;
  }
}
