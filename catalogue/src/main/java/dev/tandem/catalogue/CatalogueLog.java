package dev.tandem.catalogue;

import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Writes a catalogue case as an observation log (CONTRACTS.md section 5), the way Tandem records
 * one: every vantage runs every journey against the clouds its role names each
 * {@link Fleet#INTERVAL}; steps after a failed critical step are skipped (but {@code always}
 * steps); each path beats once a round unless silent; the standby reports its replication lag.
 * Lines are in order of arrival; a vantage whose clock runs ahead stamps its lines ahead, as it
 * would live. Deterministic for a case, a history and a seed.
 */
public final class CatalogueLog {
  /** When every log starts. */
  public static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final double HEALTHY_LAG_SECONDS = 2.0;
  /** Even a healthy platform fails now and then: each step fails this often, everywhere, always. */
  public static final double BACKGROUND_ERROR_RATE = 0.002;
  private static final long BASE_LATENCY_MS = 30;

  private record Line(Instant arrival, Observation observation) {}

  private CatalogueLog() {}

  /** When the fault of a log with {@code history} of healthy traffic in front begins. */
  public static Instant faultStart(Duration history) {
    return T0.plus(history).plus(GrayFailure.LEAD_IN);
  }

  /** When a log with {@code history} in front ends. */
  public static Instant end(GrayFailure c, Duration history) {
    return faultStart(history).plusSeconds(c.faultSeconds() + (long) c.tailSeconds());
  }

  /** Writes the log of {@code c} after {@code history} of healthy traffic. */
  public static long write(GrayFailure c, Duration history, long seed, Writer out) throws IOException {
    ObservationCodec codec = new ObservationCodec();
    long n = 0;
    for (Line l : lines(c, history, seed)) {
      out.write(codec.encode(l.observation()));
      out.write('\n');
      n++;
    }
    out.flush();
    return n;
  }

  /** The log of {@code c} as text. */
  public static String text(GrayFailure c, Duration history, long seed) {
    java.io.StringWriter w = new java.io.StringWriter();
    try {
      write(c, history, seed, w);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  private static List<Line> lines(GrayFailure c, Duration history, long seed) {
    Instant fault = faultStart(history);
    Instant end = end(c, history);
    List<Line> out = new ArrayList<>();
    long round = 0;
    for (Instant start = T0.plusSeconds(1); start.isBefore(end); start = start.plus(Fleet.INTERVAL), round++) {
      double seconds = Duration.between(fault, start).toMillis() / 1000.0;
      // One generator per round, numbered from the fault: the same case and seed give the same
      // recent evidence whatever history comes first.
      Random random = new Random((seed * 1_000_003L + c.ordinal()) * 1_000_003L + Math.round(seconds * 1000));
      boolean inFault = seconds >= 0 && seconds < c.faultSeconds();
      for (int vi = 0; vi < Fleet.VANTAGES.size(); vi++) {
        VantageSpec v = Fleet.VANTAGES.get(vi);
        Instant vantageStart = start.plusMillis(900L * vi);
        Duration offset = inFault ? c.clockOffset(v.id()) : Duration.ZERO;
        for (String cloud : List.of(Fleet.PRIMARY, Fleet.SECONDARY)) {
          String role = cloud.equals(Fleet.PRIMARY) ? "active" : "standby";
          Instant at = vantageStart.plusMillis(cloud.equals(Fleet.PRIMARY) ? 0 : 400);
          for (Fleet.Journey j : Fleet.JOURNEYS) {
            if (!j.runsAgainst(role)) {
              continue;
            }
            String run = "r" + round + "-" + v.id() + "-" + cloud + "-" + j.name();
            boolean failed = false;
            for (String step : j.steps()) {
              boolean always = j.always().contains(step);
              if (failed && !always) {
                continue;
              }
              GrayFailure.Step s = new GrayFailure.Step(seconds, cloud, v.id(), j.name(), step, random);
              String error = inFault ? c.fail(s) : null;
              if (error == null && random.nextDouble() < BACKGROUND_ERROR_RATE) {
                error = "status 500, expected 2xx";
              }
              long latency = BASE_LATENCY_MS + random.nextInt(20) + (inFault ? c.extraLatencyMs(s) : 0);
              if (error == null && latency > Fleet.TIMEOUT.toMillis()) {
                error = "timeout after " + Fleet.TIMEOUT.toMillis() + " ms";
              }
              boolean critical = !j.nonCritical().contains(step);
              out.add(new Line(at, new ProbeObservation(at.plus(offset), run, j.name(), step, cloud, v.id(),
                  error == null, latency, error, 1, critical)));
              at = at.plusMillis(latency + 5);
              if (error != null && critical) {
                failed = true;
              }
            }
            at = at.plusMillis(100);
          }
        }
      }
      for (PathSpec p : Fleet.PATHS) {
        if (!(inFault && c.pathSilent(p.id(), seconds))) {
          Instant at = start.plusMillis(500);
          out.add(new Line(at, new HeartbeatObservation(at, p.id(), p.cloud())));
        }
      }
      Instant at = start.plusMillis(600);
      out.add(new Line(at, new ReplicationObservation(at, Fleet.DOMAIN, Fleet.SECONDARY,
          inFault ? c.lagSeconds(seconds) : HEALTHY_LAG_SECONDS)));
    }
    out.sort(Comparator.comparing(Line::arrival));
    return out;
  }
}
