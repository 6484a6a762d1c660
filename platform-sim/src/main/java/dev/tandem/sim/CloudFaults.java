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
 */
public record CloudFaults(
    boolean down,
    Map<String, Double> errorRate,
    long latencyMs,
    Set<String> refuseVantages,
    Set<TelemetrySignal> telemetryOff,
    OptionalDouble replicationLagSeconds,
    boolean replicationStalled) {

  /** Longest latency a fault may add: beyond it a client has long given up. */
  public static final long MAX_LATENCY_MS = 120_000;

  private static final CloudFaults NONE =
      new CloudFaults(false, Map.of(), 0, Set.of(), Set.of(), OptionalDouble.empty(), false);

  public CloudFaults {
    Objects.requireNonNull(errorRate, "errorRate");
    Objects.requireNonNull(refuseVantages, "refuseVantages");
    Objects.requireNonNull(telemetryOff, "telemetryOff");
    Objects.requireNonNull(replicationLagSeconds, "replicationLagSeconds");
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
    errorRate = Map.copyOf(errorRate);
    refuseVantages = Set.copyOf(refuseVantages);
    telemetryOff = Set.copyOf(telemetryOff);
  }

  /** The faults without {@code replicationStalled}, as before that fault existed. */
  public CloudFaults(
      boolean down,
      Map<String, Double> errorRate,
      long latencyMs,
      Set<String> refuseVantages,
      Set<TelemetrySignal> telemetryOff,
      OptionalDouble replicationLagSeconds) {
    this(down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, false);
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
        value, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled);
  }

  /** A copy where {@code operation} fails with 503 at the given rate (0 to 1). */
  public CloudFaults withErrorRate(String operation, double rate) {
    Map<String, Double> rates = new LinkedHashMap<>(errorRate);
    rates.put(operation, rate);
    return new CloudFaults(down, rates, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled);
  }

  /** A copy with the given added latency. */
  public CloudFaults withLatencyMs(long value) {
    return new CloudFaults(down, errorRate, value, refuseVantages, telemetryOff, replicationLagSeconds, replicationStalled);
  }

  /** A copy that also refuses requests from {@code vantage}. */
  public CloudFaults withRefusedVantage(String vantage) {
    Set<String> vantages = new LinkedHashSet<>(refuseVantages);
    vantages.add(vantage);
    return new CloudFaults(down, errorRate, latencyMs, vantages, telemetryOff, replicationLagSeconds, replicationStalled);
  }

  /** A copy that also stops exporting the given signals. */
  public CloudFaults withTelemetryOff(TelemetrySignal first, TelemetrySignal... more) {
    Set<TelemetrySignal> signals = EnumSet.of(first, more);
    signals.addAll(telemetryOff);
    return new CloudFaults(down, errorRate, latencyMs, refuseVantages, signals, replicationLagSeconds, replicationStalled);
  }

  /** A copy that reports the given replication lag when standby. */
  public CloudFaults withReplicationLagSeconds(double seconds) {
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, telemetryOff, OptionalDouble.of(seconds), replicationStalled);
  }

  /** A copy where, as a standby, this cloud stops applying replicated writes (or resumes). */
  public CloudFaults withReplicationStalled(boolean value) {
    return new CloudFaults(
        down, errorRate, latencyMs, refuseVantages, telemetryOff, replicationLagSeconds, value);
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
