package dev.tandem.server.it;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The real InfluxDB, Prometheus and Alertmanager for integration tests, started by Testcontainers.
 *
 * <p>Images come from the system properties {@value #INFLUXDB_IMAGE_PROPERTY}, {@value
 * #PROMETHEUS_IMAGE_PROPERTY} and {@value #ALERTMANAGER_IMAGE_PROPERTY} (set by the parent pom for
 * failsafe). The defaults are the images that {@code docker/build-offline-images.sh} assembles from
 * Debian's binaries; a machine with a registry may pass the official images ({@code influxdb:1.8},
 * {@code prom/prometheus}, {@code prom/alertmanager}): paths, users and commands are the same.
 *
 * <p>InfluxDB and {@link #alertmanager()} use Docker's bridge network with a mapped port. Prometheus
 * (and {@link #alertmanagerOnHost(Path)}) use host networking and listen on a free loopback port,
 * because they must reach a Tandem server (or a webhook receiver) on the host's loopback. See
 * docker/README.md.
 *
 * <p>Every test class calls {@link #requireDocker()} first (e.g. in {@code @BeforeAll}).
 */
public final class TandemContainers {

  public static final String INFLUXDB_IMAGE_PROPERTY = "tandem.image.influxdb";
  public static final String PROMETHEUS_IMAGE_PROPERTY = "tandem.image.prometheus";
  public static final String ALERTMANAGER_IMAGE_PROPERTY = "tandem.image.alertmanager";

  public static final String DEFAULT_INFLUXDB_IMAGE = "tandem/influxdb:debian";
  public static final String DEFAULT_PROMETHEUS_IMAGE = "tandem/prometheus:debian";
  public static final String DEFAULT_ALERTMANAGER_IMAGE = "tandem/alertmanager:debian";

  public static final int INFLUXDB_PORT = 8086;
  public static final int ALERTMANAGER_PORT = 9093;

  /** Where the images (offline and official alike) read their configuration. */
  public static final String PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
  public static final String ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
  private static final String OFFLINE_PREFIX = "tandem/";

  private TandemContainers() {}

  // ---------------------------------------------------------------------------------------------
  // Docker availability
  // ---------------------------------------------------------------------------------------------

  /**
   * Makes sure Docker answers and that the offline images (names starting with {@code tandem/})
   * exist locally. When not: fails the test if the environment variable {@code CI} is {@code true}
   * (CI must never silently skip them), and otherwise skips it with a message saying what to do.
   */
  public static void requireDocker() {
    String problem = dockerProblem();
    if (problem == null) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(problem + " (CI=true: integration tests must not be skipped)");
    }
    // Surefire/failsafe do not print why a class was skipped: say it on the console too.
    System.err.println("[tandem] SKIPPING container tests: " + problem);
    Assumptions.abort(problem + " (skipped; set CI=true to make this a failure)");
  }

  private static String dockerProblem() {
    boolean available;
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      available = false;
    }
    if (!available) {
      return "Docker is not available to Testcontainers: start the daemon (e.g. `nohup dockerd"
          + " >/tmp/dockerd.log 2>&1 &`), then run docker/build-offline-images.sh";
    }
    List<String> missing = new ArrayList<>();
    for (String image : List.of(influxdbImage(), prometheusImage(), alertmanagerImage())) {
      if (image.startsWith(OFFLINE_PREFIX) && !imageExists(image)) {
        missing.add(image);
      }
    }
    if (!missing.isEmpty()) {
      return "Offline image(s) " + missing + " not found (no registry to pull them from):"
          + " run docker/build-offline-images.sh, or pass official images with -D"
          + INFLUXDB_IMAGE_PROPERTY + "=influxdb:1.8 etc. (see docker/README.md)";
    }
    return null;
  }

  private static boolean imageExists(String image) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Image names
  // ---------------------------------------------------------------------------------------------

  public static String influxdbImage() {
    return image(INFLUXDB_IMAGE_PROPERTY, DEFAULT_INFLUXDB_IMAGE);
  }

  public static String prometheusImage() {
    return image(PROMETHEUS_IMAGE_PROPERTY, DEFAULT_PROMETHEUS_IMAGE);
  }

  public static String alertmanagerImage() {
    return image(ALERTMANAGER_IMAGE_PROPERTY, DEFAULT_ALERTMANAGER_IMAGE);
  }

  private static String image(String property, String fallback) {
    String value = System.getProperty(property);
    // An unset Maven property arrives as "" or as the literal "${...}".
    if (value == null || value.isBlank() || value.startsWith("${")) {
      return fallback;
    }
    return value.trim();
  }

  // ---------------------------------------------------------------------------------------------
  // Factories (containers are returned unstarted: call start(), or use @Container)
  // ---------------------------------------------------------------------------------------------

  /** InfluxDB 1.x, HTTP API on a mapped port, no authentication, reporting off. */
  public static InfluxDbContainer influxdb() {
    return new InfluxDbContainer(DockerImageName.parse(influxdbImage()));
  }

  /**
   * Prometheus on the host's network, listening on a free loopback port (see {@link
   * PrometheusContainer#port()}), with {@code configFile} as its prometheus.yml. Scrape targets on
   * the host are reached as {@code 127.0.0.1:PORT}. {@code --web.enable-lifecycle} is on, so a test
   * may copy a new file to {@link #PROMETHEUS_CONFIG} and POST {@code /-/reload}.
   */
  public static PrometheusContainer prometheus(Path configFile) {
    return new PrometheusContainer(DockerImageName.parse(prometheusImage()), configFile);
  }

  /** Alertmanager with the image's own configuration (one receiver that sends nowhere). */
  public static AlertmanagerContainer alertmanager() {
    return new AlertmanagerContainer(DockerImageName.parse(alertmanagerImage()), null);
  }

  /** Alertmanager (bridge network, mapped port) with {@code configFile} as alertmanager.yml. */
  public static AlertmanagerContainer alertmanager(Path configFile) {
    return new AlertmanagerContainer(
        DockerImageName.parse(alertmanagerImage()), Objects.requireNonNull(configFile));
  }

  /**
   * Alertmanager on the host's network, on a free loopback port, with {@code configFile} as
   * alertmanager.yml: for tests whose webhook receivers listen on the host's loopback.
   */
  public static HostAlertmanagerContainer alertmanagerOnHost(Path configFile) {
    return new HostAlertmanagerContainer(
        DockerImageName.parse(alertmanagerImage()), Objects.requireNonNull(configFile));
  }

  // ---------------------------------------------------------------------------------------------
  // Containers
  // ---------------------------------------------------------------------------------------------

  /** InfluxDB 1.x: {@code /ping}, {@code /write}, {@code /query} at {@link #baseUrl()}. */
  public static final class InfluxDbContainer extends GenericContainer<InfluxDbContainer> {
    InfluxDbContainer(DockerImageName image) {
      super(image);
      withExposedPorts(INFLUXDB_PORT);
      // influxd reads INFLUXDB_* overrides itself (1.x), so these hold for the official image too.
      withEnv("INFLUXDB_REPORTING_DISABLED", "true");
      withEnv("INFLUXDB_HTTP_AUTH_ENABLED", "false");
      waitingFor(
          Wait.forHttp("/ping")
              .forPort(INFLUXDB_PORT)
              .forStatusCode(204)
              .withStartupTimeout(STARTUP_TIMEOUT));
    }

    /** E.g. {@code http://localhost:32768}. */
    public String baseUrl() {
      return "http://" + getHost() + ":" + getMappedPort(INFLUXDB_PORT);
    }
  }

  /** Alertmanager on the bridge network: API at {@link #baseUrl()}. */
  public static final class AlertmanagerContainer extends GenericContainer<AlertmanagerContainer> {
    AlertmanagerContainer(DockerImageName image, Path configFile) {
      super(image);
      withExposedPorts(ALERTMANAGER_PORT);
      if (configFile != null) {
        withCopyFileToContainer(readable(configFile), ALERTMANAGER_CONFIG);
      }
      withCommand(alertmanagerArgs("0.0.0.0:" + ALERTMANAGER_PORT));
      waitingFor(
          Wait.forHttp("/-/ready")
              .forPort(ALERTMANAGER_PORT)
              .forStatusCode(200)
              .withStartupTimeout(STARTUP_TIMEOUT));
    }

    public String baseUrl() {
      return "http://" + getHost() + ":" + getMappedPort(ALERTMANAGER_PORT);
    }
  }

  /** Prometheus on the host network: API at {@link #baseUrl()} ({@code http://127.0.0.1:PORT}). */
  public static final class PrometheusContainer extends HostNetworkContainer<PrometheusContainer> {
    PrometheusContainer(DockerImageName image, Path configFile) {
      super(image);
      withCopyFileToContainer(readable(Objects.requireNonNull(configFile)), PROMETHEUS_CONFIG);
      withCommand(
          "--config.file=" + PROMETHEUS_CONFIG,
          "--storage.tsdb.path=/prometheus",
          "--web.listen-address=127.0.0.1:" + port(),
          "--web.enable-lifecycle");
    }
  }

  /** Alertmanager on the host network: API at {@link #baseUrl()} ({@code http://127.0.0.1:PORT}). */
  public static final class HostAlertmanagerContainer
      extends HostNetworkContainer<HostAlertmanagerContainer> {
    HostAlertmanagerContainer(DockerImageName image, Path configFile) {
      super(image);
      withCopyFileToContainer(readable(configFile), ALERTMANAGER_CONFIG);
      withCommand(alertmanagerArgs("127.0.0.1:" + port()));
    }
  }

  /**
   * A container in the host's network namespace, listening on a loopback port chosen here (there
   * are no mapped ports, so Testcontainers' port-based wait strategies cannot be used).
   */
  public abstract static class HostNetworkContainer<S extends HostNetworkContainer<S>>
      extends GenericContainer<S> {
    private final int port = freeLoopbackPort();

    HostNetworkContainer(DockerImageName image) {
      super(image);
      withNetworkMode("host");
      waitingFor(new LoopbackReadyWait(port, "/-/ready").withStartupTimeout(STARTUP_TIMEOUT));
    }

    /** The loopback port it listens on. */
    public int port() {
      return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
      return "http://127.0.0.1:" + port;
    }
  }

  private static String[] alertmanagerArgs(String listenAddress) {
    return new String[] {
      "--config.file=" + ALERTMANAGER_CONFIG,
      "--storage.path=/alertmanager",
      "--web.listen-address=" + listenAddress,
      // One instance: no gossip port (9094 would clash on the host network), no private IP needed.
      "--cluster.listen-address="
    };
  }

  /** Mode 0644: both images run as nobody, and a temp file is often 0600. */
  private static MountableFile readable(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("not a file: " + file);
    }
    return MountableFile.forHostPath(file, 0644);
  }

  /** A free TCP port on 127.0.0.1 (free when asked; the container binds it moments later). */
  public static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Polls {@code http://127.0.0.1:PORT/PATH} until it answers 200. */
  private static final class LoopbackReadyWait extends AbstractWaitStrategy {
    private final URI uri;

    LoopbackReadyWait(int port, String path) {
      this.uri = URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    protected void waitUntilReady() {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + startupTimeout.toNanos();
      String last = "no answer";
      while (System.nanoTime() < deadline) {
        if (!waitStrategyTarget.isRunning()) {
          throw new ContainerLaunchException(
              "container exited before " + uri + " was ready; logs:\n"
                  + waitStrategyTarget.getLogs());
        }
        try {
          HttpResponse<Void> response =
              http.send(request, HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() == 200) {
            return;
          }
          last = "HTTP " + response.statusCode();
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ContainerLaunchException("interrupted waiting for " + uri, e);
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ContainerLaunchException("interrupted waiting for " + uri, e);
        }
      }
      throw new ContainerLaunchException(
          uri + " not ready after " + startupTimeout + " (last: " + last + "); logs:\n"
              + waitStrategyTarget.getLogs());
    }
  }
}
