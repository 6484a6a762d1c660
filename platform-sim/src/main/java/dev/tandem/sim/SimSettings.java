package dev.tandem.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Settings of a {@link PlatformSimulator}. Build with {@link #builder()}; the builder validates
 * everything, so a started simulator never meets bad configuration.
 *
 * @param primary the cloud that is active at start
 * @param secondary the warm standby at start
 * @param host the loopback address every server binds
 * @param adminPort the fault admin API port; 0 picks a free one
 * @param trafficPort the traffic manager's public endpoint port (forwards to the active cloud); 0
 *     picks a free one
 * @param spanExportInterval how often batched spans are exported
 * @param metricExportInterval how often metrics are collected and exported
 * @param domainId the failover domain, reported as {@code tandem.domain} on the replication lag
 * @param replicationDelay how long the standby takes to apply a write of the active cloud
 * @param maxOrders orders kept per cloud; beyond it the oldest completed order is evicted
 * @param maxIdempotencyKeys idempotency keys kept per cloud; beyond it the oldest is forgotten
 * @param initialStock units of each SKU in stock, restored by every restock
 * @param restockInterval how often each cloud tops its stock up to {@code initialStock}
 * @param clock the clock read for state (orders, replication); not for OpenTelemetry internals
 * @param random drives injected error rates and order ids; seed it for deterministic tests
 */
public record SimSettings(
    CloudSettings primary,
    CloudSettings secondary,
    String host,
    int adminPort,
    int trafficPort,
    Duration spanExportInterval,
    Duration metricExportInterval,
    String domainId,
    Duration replicationDelay,
    int maxOrders,
    int maxIdempotencyKeys,
    int initialStock,
    Duration restockInterval,
    Clock clock,
    RandomGenerator random) {

  public SimSettings {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(secondary, "secondary");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(domainId, "domainId");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(random, "random");
    if (primary.id().equals(secondary.id())) {
      throw new IllegalArgumentException("primary and secondary need distinct ids, both are '" + primary.id() + "'");
    }
    if (primary.port() != 0 && primary.port() == secondary.port()) {
      throw new IllegalArgumentException("primary and secondary share port " + primary.port());
    }
    if (adminPort < 0 || adminPort > 65_535) {
      throw new IllegalArgumentException("adminPort must be 0-65535, got " + adminPort);
    }
    if (trafficPort < 0 || trafficPort > 65_535) {
      throw new IllegalArgumentException("trafficPort must be 0-65535, got " + trafficPort);
    }
    if (domainId.isBlank()) {
      throw new IllegalArgumentException("domainId must not be blank");
    }
    positive("spanExportInterval", spanExportInterval);
    positive("metricExportInterval", metricExportInterval);
    positive("restockInterval", restockInterval);
    Objects.requireNonNull(replicationDelay, "replicationDelay");
    if (replicationDelay.isNegative()) {
      throw new IllegalArgumentException("replicationDelay must not be negative");
    }
    if (maxOrders < 1 || maxIdempotencyKeys < 1 || initialStock < 1) {
      throw new IllegalArgumentException("maxOrders, maxIdempotencyKeys and initialStock must be >= 1");
    }
  }

  /** A builder with the defaults: clouds {@code primary}/{@code secondary} on free ports. */
  public static Builder builder() {
    return new Builder();
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** Builds {@link SimSettings}. */
  public static final class Builder {
    private CloudSettings primary = new CloudSettings("primary", "eu-west", 0, null);
    private CloudSettings secondary = new CloudSettings("secondary", "eu-central", 0, null);
    private String host = "127.0.0.1";
    private int adminPort;
    private int trafficPort;
    private Duration spanExportInterval = Duration.ofSeconds(1);
    private Duration metricExportInterval = Duration.ofSeconds(2);
    private String domainId = "order-platform";
    private Duration replicationDelay = Duration.ofSeconds(1);
    private int maxOrders = 10_000;
    private int maxIdempotencyKeys = 10_000;
    private int initialStock = 1_000;
    private Duration restockInterval = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = new SplittableRandom();

    private Builder() {}

    /** The cloud active at start (default {@code primary}, region {@code eu-west}). */
    public Builder primary(CloudSettings value) {
      this.primary = value;
      return this;
    }

    /** The warm standby at start (default {@code secondary}, region {@code eu-central}). */
    public Builder secondary(CloudSettings value) {
      this.secondary = value;
      return this;
    }

    /** Shorthand for {@link #primary(CloudSettings)}. */
    public Builder primary(String id, String region, int port, String otlpEndpoint) {
      return primary(new CloudSettings(id, region, port, otlpEndpoint));
    }

    /** Shorthand for {@link #secondary(CloudSettings)}. */
    public Builder secondary(String id, String region, int port, String otlpEndpoint) {
      return secondary(new CloudSettings(id, region, port, otlpEndpoint));
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    public Builder adminPort(int value) {
      this.adminPort = value;
      return this;
    }

    /** The traffic manager's public endpoint port; 0 (the default) picks a free one. */
    public Builder trafficPort(int value) {
      this.trafficPort = value;
      return this;
    }

    public Builder spanExportInterval(Duration value) {
      this.spanExportInterval = value;
      return this;
    }

    public Builder metricExportInterval(Duration value) {
      this.metricExportInterval = value;
      return this;
    }

    public Builder domainId(String value) {
      this.domainId = value;
      return this;
    }

    public Builder replicationDelay(Duration value) {
      this.replicationDelay = value;
      return this;
    }

    public Builder maxOrders(int value) {
      this.maxOrders = value;
      return this;
    }

    public Builder maxIdempotencyKeys(int value) {
      this.maxIdempotencyKeys = value;
      return this;
    }

    public Builder initialStock(int value) {
      this.initialStock = value;
      return this;
    }

    public Builder restockInterval(Duration value) {
      this.restockInterval = value;
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    public Builder random(RandomGenerator value) {
      this.random = value;
      return this;
    }

    /** Validates and builds; throws {@link IllegalArgumentException} naming the bad setting. */
    public SimSettings build() {
      return new SimSettings(
          primary, secondary, host, adminPort, trafficPort, spanExportInterval, metricExportInterval,
          domainId, replicationDelay, maxOrders, maxIdempotencyKeys, initialStock,
          restockInterval, clock, random);
    }
  }
}
