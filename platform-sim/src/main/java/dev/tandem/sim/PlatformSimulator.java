package dev.tandem.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A two-cloud distribution platform (orders to invoices) with fault injection and per-cloud OTLP
 * telemetry. The first cloud of the settings starts active, the second as its warm standby,
 * replicated asynchronously. The standby is a read replica: it serves reads and refuses writes
 * with 409 {@code read_replica}.
 *
 * <p>Thread-safe: faults and the active cloud may be changed from any thread while it runs.
 */
public final class PlatformSimulator {
  private final Vertx vertx;
  private final SimSettings settings;
  private final Map<String, CloudSettings> clouds = new LinkedHashMap<>();
  private final Map<String, AtomicReference<CloudFaults>> faults = new LinkedHashMap<>();
  private final Map<String, CloudVerticle> verticles = new LinkedHashMap<>();
  private final AtomicReference<String> active;
  private final AdminVerticle admin;
  private final TrafficVerticle traffic;
  private final List<String> deployments = new ArrayList<>();
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  private enum State { NEW, STARTING, STARTED, STOPPED }

  private PlatformSimulator(Vertx vertx, SimSettings settings) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.settings = Objects.requireNonNull(settings, "settings");
    Dice dice = new Dice(settings.random());
    active = new AtomicReference<>(settings.primary().id());
    ReplicationInbox primaryInbox = new ReplicationInbox();
    ReplicationInbox secondaryInbox = new ReplicationInbox();
    add(settings.primary(), dice, primaryInbox, secondaryInbox);
    add(settings.secondary(), dice, secondaryInbox, primaryInbox);
    admin = new AdminVerticle(this, settings.host(), settings.adminPort());
    traffic = new TrafficVerticle(settings.host(), settings.trafficPort(), active::get, this::port);
  }

  /** A simulator with the given settings; nothing listens until {@link #start()}. */
  public static PlatformSimulator create(Vertx vertx, SimSettings settings) {
    return new PlatformSimulator(vertx, settings);
  }

  private void add(CloudSettings cloud, Dice dice, ReplicationInbox inbox, ReplicationInbox peerInbox) {
    AtomicReference<CloudFaults> cloudFaults = new AtomicReference<>(CloudFaults.none());
    clouds.put(cloud.id(), cloud);
    faults.put(cloud.id(), cloudFaults);
    verticles.put(cloud.id(), new CloudVerticle(cloud, settings, dice, cloudFaults,
        () -> cloud.id().equals(active.get()), inbox, peerInbox));
  }

  /** Starts both clouds and the admin API; fails if a port is taken. Call once. */
  public Future<Void> start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      return Future.failedFuture(new IllegalStateException("the simulator starts only once"));
    }
    List<Future<String>> deploying = new ArrayList<>();
    for (CloudVerticle verticle : verticles.values()) {
      deploying.add(vertx.deployVerticle(verticle));
    }
    deploying.add(vertx.deployVerticle(admin));
    deploying.add(vertx.deployVerticle(traffic));
    return Future.join(deploying)
        .transform(ar -> {
          synchronized (deployments) {
            for (Future<String> f : deploying) {
              if (f.succeeded()) {
                deployments.add(f.result());
              }
            }
          }
          if (ar.succeeded()) {
            state.set(State.STARTED);
            return Future.<Void>succeededFuture();
          }
          // Release what did start, then report why the rest did not.
          return undeployAll().transform(ignored -> Future.<Void>failedFuture(ar.cause()));
        });
  }

  /** Stops both clouds and the admin API, flushing telemetry (at most a few seconds). */
  public Future<Void> stop() {
    State previous = state.getAndSet(State.STOPPED);
    if (previous == State.STOPPED || previous == State.NEW) {
      return Future.succeededFuture();
    }
    return undeployAll();
  }

  private Future<Void> undeployAll() {
    List<Future<Void>> undeploying = new ArrayList<>();
    synchronized (deployments) {
      for (String id : deployments) {
        undeploying.add(vertx.undeploy(id));
      }
      deployments.clear();
    }
    return Future.join(undeploying).mapEmpty();
  }

  /** The ids of the two clouds, primary first. */
  public List<String> clouds() {
    return List.copyOf(clouds.keySet());
  }

  /** The bound HTTP port of a cloud's platform API. */
  public int port(String cloud) {
    int port = verticle(cloud).port();
    if (port < 0) {
      throw new IllegalStateException("cloud " + cloud + " is not listening; start the simulator first");
    }
    return port;
  }

  /** The base URL of a cloud's platform API, e.g. {@code http://127.0.0.1:9001}. */
  public String baseUrl(String cloud) {
    return "http://" + settings.host() + ":" + port(cloud);
  }

  /** The bound port of the fault admin API. */
  public int adminPort() {
    int port = admin.port();
    if (port < 0) {
      throw new IllegalStateException("the admin API is not listening; start the simulator first");
    }
    return port;
  }

  /** The base URL of the fault admin API. */
  public String adminUrl() {
    return "http://" + settings.host() + ":" + adminPort();
  }

  /**
   * The bound port of the traffic manager: the platform's public endpoint, which forwards every
   * request to the active cloud.
   */
  public int trafficPort() {
    int port = traffic.port();
    if (port < 0) {
      throw new IllegalStateException("the traffic manager is not listening; start the simulator first");
    }
    return port;
  }

  /** The platform's public URL (the traffic manager), e.g. {@code http://127.0.0.1:9000}. */
  public String trafficUrl() {
    return "http://" + settings.host() + ":" + trafficPort();
  }

  /** Requests the traffic manager forwarded to a cloud and passed its answer back. */
  public long trafficForwarded() {
    return traffic.forwarded();
  }

  /** Requests the traffic manager answered 502 because the active cloud did not answer. */
  public long trafficFailed() {
    return traffic.failed();
  }

  /**
   * Replaces a cloud's faults; takes effect for the next request and the next export. The
   * listening socket follows {@code down} a few milliseconds later (see {@link #applyFaults}).
   */
  public void setFaults(String cloud, CloudFaults value) {
    applyFaults(cloud, value);
  }

  /**
   * Replaces a cloud's faults, like {@link #setFaults}, and completes once they have fully taken
   * effect: for {@code down}, once the listening socket is closed (connections are refused), and
   * when healed, once it listens again on the same port.
   */
  public Future<Void> applyFaults(String cloud, CloudFaults value) {
    Objects.requireNonNull(value, "faults");
    faultsOf(cloud).set(value);
    return verticle(cloud).faultsChanged();
  }

  /** Heals a cloud; a cloud that was down listens again a few milliseconds later. */
  public void clearFaults(String cloud) {
    applyFaults(cloud, CloudFaults.none());
  }

  /** A cloud's current faults. */
  public CloudFaults faults(String cloud) {
    return faultsOf(cloud).get();
  }

  /** The active cloud and every cloud's faults. */
  public FaultPlan faultPlan() {
    Map<String, CloudFaults> snapshot = new LinkedHashMap<>();
    faults.forEach((cloud, ref) -> snapshot.put(cloud, ref.get()));
    return new FaultPlan(active.get(), snapshot);
  }

  /**
   * Makes a cloud the active one, as a failover controller would, in one atomic change: the
   * traffic manager sends the next request there, it takes writes and replicates them to the
   * other cloud, which becomes a read replica (409 {@code read_replica} to writes) and reports
   * its replication lag.
   */
  public void setActive(String cloud) {
    verticle(cloud);
    active.set(cloud);
  }

  /** The id of the active cloud. */
  public String active() {
    return active.get();
  }

  /** The id of the standby cloud. */
  public String standby() {
    String current = active.get();
    return clouds.keySet().stream().filter(c -> !c.equals(current)).findFirst().orElseThrow();
  }

  /** The replication lag a cloud reports, in seconds; empty while it is the active cloud. */
  public OptionalDouble replicationLagSeconds(String cloud) {
    return verticle(cloud).reportedLag();
  }

  private CloudVerticle verticle(String cloud) {
    CloudVerticle verticle = verticles.get(cloud);
    if (verticle == null) {
      throw new IllegalArgumentException("unknown cloud '" + cloud + "', expected one of " + clouds.keySet());
    }
    return verticle;
  }

  private AtomicReference<CloudFaults> faultsOf(String cloud) {
    verticle(cloud);
    return faults.get(cloud);
  }
}
