package dev.tandem.sim;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The faults injected into one cloud. Immutable; {@link #none()} is a healthy cloud.
 *
 * @param down the cloud fails as a whole: connections are closed without an answer and its
 *     telemetry stops
 * @param errorRate per operation wire name ({@code allocate}, ...), the fraction of requests (0
 *     to 1) that answer 503
 * @param latencyMs latency added to every request, in milliseconds
 * @param refuseVantages vantage ids ({@code X-Tandem-Vantage}) whose requests get their
 *     connection closed: a partition between that vantage and this cloud
 * @param telemetryOff signals this cloud stops exporting, while it serves normally
 * @param replicationLagSeconds if present, the replication lag this cloud reports as a standby
 * @param replicationStalled as a standby, this cloud applies no replicated writes: its reported
 *     lag then grows with time, as a stuck replica's does, until the fault is cleared
 * @param vantageLoss per vantage id ({@code X-Tandem-Vantage}), the fraction of its requests (0 to
 *     1) whose connection is closed without an answer: a lossy network between that vantage and
 *     this cloud (1 is the same as {@code refuseVantages})
 */
public record CloudFaults(
    boolean down,
    Map<String, Double> errorRate,
    long latencyMs,
    Set<String> refuseVantages,
    Set<TelemetrySignal> telemetryOff,
    OptionalDouble replicationLagSeconds,
    boolean replicationStalled,
    Map<String, Double> vantageLoss) {

  /** Longest latency a fault may add: beyond it a client has long given up. */
  public static final long MAX_LATENCY_MS = 120_000;

  private static final CloudFaults NONE =
      new CloudFaults(false, Map.of(), 0, Set.of(), Set.of(), OptionalDouble.empty(), false, Map.of());

  public CloudFaults {
    Objects.requireNonNull(errorRate, "errorRate");
    Objects.requireNonNull(refuseVantages, "refuseVantages");
    Objects.requireNonNull(telemetryOff, "telemetryOff");
    Objects.requireNonNull(replicationLagSeconds, "replicationLagSeconds");
    Objects.requireNonNull(vantageLoss, "vantageLoss");
    errorRate.forEach(
        (op, rate) -> {
          if (Operation.byWireName(op).isEmpty()) {
            throw new IllegalArgumentException(
                "errorRate: unknown operation '" + op + "', expected one of " + operationNames());
          }
          if (rate == null || !(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(
                "errorRate." + op + ": must be between 0 and 1, got " + rate);
          }
        });
    if (latencyMs < 0 || latencyMs > MAX_LATENCY_MS) {
      throw new IllegalArgumentException(
          "latencyMs: must be between 0 and " + MAX_LATENCY_MS + ", got " + latencyMs);
    }
    for (String vantage : refuseVantages) {
      if (vantage == null || vantage.isBlank()) {
        throw new IllegalArgumentException("refuseVantages: vantage ids must not be blank");
      }
    }
    if (replicationLagSeconds.isPresent()) {
      double lag = replicationLagSeconds.getAsDouble();
      if (!(lag >= 0.0) || Double.isInfinite(lag)) {
        throw new IllegalArgumentException(
            "replicationLagSeconds: must be a finite number >= 0, got " + lag);
      }
    }
    vantageLoss.forEach(
        (vantage, share) -> {
          if (vantage == null || vantage.isBlank()) {
            throw new IllegalArgumentException("vantageLoss: vantage ids must not be blank");
          }
          if (share == null || !(share >= 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException(
                "vantageLoss." + vantage + ": must be between 0 and 1, got " + share);
          }
        });
    errorRate = Map.copyOf(errorRate);
    vantageLoss = Map.copyOf(vantageLoss);
    refuseVantages = Set.copyOf(refuseVantages);
    telemetryOff = Set.copyOf(telemetryOff);
  }

  /** The faults without {@code vantageLoss}, as before that fault existed. */
  public CloudFaults(
      boolean down,
      Map<String, Double> errorRate,
      long latencyMs,
      Set<String> refuseVantages,
      Set<TelemetrySignal> telemetryOff,
      OptionalDouble replicationLagSeconds,
      boolean replicationStalled) {
    this(down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled,
        Map.of());
  }

  /** The faults without {@code replicationStalled}, as before that fault existed. */
  public CloudFaults(
      boolean down,
      Map<String, Double> errorRate,
      long latencyMs,
      Set<String> refuseVantages,
      Set<TelemetrySignal> telemetryOff,
      OptionalDouble replicationLagSeconds) {
    this(down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, false, Map.of());
  }

  /** A healthy cloud. */
  public static CloudFaults none() {
    return NONE;
  }

  /** Whether this is a healthy cloud. */
  public boolean isNone() {
    return equals(NONE);
  }

  /** A copy with {@code down} set. */
  public CloudFaults withDown(boolean value) {
    return new CloudFaults(
        value, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled,
        vantageLoss);
  }

  /** A copy where {@code operation} fails with 503 at the given rate (0 to 1). */
  public CloudFaults withErrorRate(String operation, double rate) {
    Map<String, Double> rates = new LinkedHashMap<>(errorRate);
    rates.put(operation, rate);
    return new CloudFaults(
        down, rates, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled, vantageLoss);
  }

  /** A copy with the given added latency. */
  public CloudFaults withLatencyMs(long value) {
    return new CloudFaults(
        down, errorRate, value, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled, vantageLoss);
  }

  /** A copy that also refuses requests from {@code vantage}. */
  public CloudFaults withRefusedVantage(String vantage) {
    Set<String> vantages = new LinkedHashSet<>(refuseVantages);
    vantages.add(vantage);
    return new CloudFaults(
        down, errorRate, latencyMs, vantages, telemetryOff, replicationLagSeconds, replicationStalled, vantageLoss);
  }

  /** A copy that also stops exporting the given signals. */
  public CloudFaults withTelemetryOff(TelemetrySignal first, TelemetrySignal... more) {
    Set<TelemetrySignal> signals = EnumSet.of(first, more);
    signals.addAll(telemetryOff);
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, signals, replicationLagSeconds, replicationStalled, vantageLoss);
  }

  /** A copy that reports the given replication lag when standby. */
  public CloudFaults withReplicationLagSeconds(double seconds) {
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, telemetryOff, OptionalDouble.of(seconds), replicationStalled,
        vantageLoss);
  }

  /** A copy where, as a standby, this cloud stops applying replicated writes (or resumes). */
  public CloudFaults withReplicationStalled(boolean value) {
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, value, vantageLoss);
  }

  /**
   * A copy where every operation of the cloud fails with 503 at the given rate (0 to 1): a
   * brownout, or at 1 a dependency every service needs (an IdP) failing. {@code /healthz} is no
   * operation and keeps answering, as a load balancer's health check often does in a brownout.
   */
  public CloudFaults withErrorRateOnEveryOperation(double rate) {
    Map<String, Double> rates = new LinkedHashMap<>(errorRate);
    for (Operation op : Operation.values()) {
      rates.put(op.wireName(), rate);
    }
    return new CloudFaults(
        down, rates, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled, vantageLoss);
  }

  /**
   * A copy where {@code share} (0 to 1) of the requests from {@code vantage} have their connection
   * closed without an answer; 0 removes the loss.
   */
  public CloudFaults withVantageLoss(String vantage, double share) {
    Map<String, Double> loss = new LinkedHashMap<>(vantageLoss);
    if (share == 0.0) {
      loss.remove(vantage);
    } else {
      loss.put(vantage, share);
    }
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled, loss);
  }

  /** The share of {@code vantage}'s requests this cloud loses, 0 when none. */
  public double lossOf(String vantage) {
    return vantage == null ? 0.0 : vantageLoss.getOrDefault(vantage, 0.0);
  }

  /** The error rate for an operation, 0 when none is set. */
  public double errorRateOf(Operation operation) {
    return errorRate.getOrDefault(operation.wireName(), 0.0);
  }

  /** Whether the given signal still leaves this cloud. */
  public boolean exports(TelemetrySignal signal) {
    return !down && !telemetryOff.contains(signal);
  }

  private static String operationNames() {
    StringBuilder names = new StringBuilder();
    for (Operation op : Operation.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(op.wireName());
    }
    return names.toString();
  }
}
