package dev.tandem.collectors;

import dev.tandem.engine.observation.ProbeObservation;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;

/**
 * Synthetic probe steps exported as spans by Tandem's synthetics (to both paths, so that a result
 * reaches the engine when one path is down, and so that remote vantages can report): a span
 * with both {@code tandem.journey} and {@code tandem.step} is a probe step, never server
 * telemetry. Its attributes must say everything a {@link ProbeObservation} holds.
 */
final class ProbeSpans {

  static final String RUN = "tandem.run";
  static final String JOURNEY = "tandem.journey";
  static final String STEP = "tandem.step";
  static final String CLOUD = "tandem.cloud";
  static final String VANTAGE = "tandem.vantage";
  static final String OK = "tandem.ok";
  static final String LATENCY_MS = "tandem.latency_ms";
  static final String ATTEMPTS = "tandem.attempts";
  static final String ERROR = "tandem.error";
  static final String CRITICAL = "tandem.critical";

  /** The error of a failed step that did not say why. */
  static final String NO_ERROR_REPORTED = "failed (no error reported)";

  /** One probe span read: an observation, or why there is none. */
  record Parsed(ProbeObservation observation, String problem) {}

  private ProbeSpans() {}

  /** True when the span carries both marker attributes, valid or not. */
  static boolean isProbe(Span span) {
    boolean journey = false;
    boolean step = false;
    for (KeyValue attribute : span.getAttributesList()) {
      String key = attribute.getKey();
      if (JOURNEY.equals(key)) {
        journey = true;
      } else if (STEP.equals(key)) {
        step = true;
      }
    }
    return journey && step;
  }

  static Parsed parse(Span span) {
    String run = null;
    String journey = null;
    String step = null;
    String cloud = null;
    String vantage = null;
    Boolean ok = null;
    Long latency = null;
    Long attempts = null;
    String error = null;
    boolean critical = true;
    for (KeyValue attribute : span.getAttributesList()) {
      AnyValue value = attribute.getValue();
      switch (attribute.getKey()) {
        case RUN:
          run = text(value);
          break;
        case JOURNEY:
          journey = text(value);
          break;
        case STEP:
          step = text(value);
          break;
        case CLOUD:
          cloud = text(value);
          break;
        case VANTAGE:
          vantage = text(value);
          break;
        case OK:
          ok = value.hasBoolValue() ? value.getBoolValue() : null;
          if (ok == null) {
            return problem(OK + " must be a bool");
          }
          break;
        case LATENCY_MS:
          latency = integer(value);
          if (latency == null || latency < 0) {
            return problem(LATENCY_MS + " must be a non-negative int");
          }
          break;
        case ATTEMPTS:
          attempts = integer(value);
          if (attempts == null || attempts < 1 || attempts > Integer.MAX_VALUE) {
            return problem(ATTEMPTS + " must be a positive int");
          }
          break;
        case ERROR:
          error = text(value);
          break;
        case CRITICAL:
          if (!value.hasBoolValue()) {
            return problem(CRITICAL + " must be a bool");
          }
          critical = value.getBoolValue();
          break;
        default:
          break;
      }
    }
    String missing = run == null ? RUN : journey == null ? JOURNEY : step == null ? STEP
        : cloud == null ? CLOUD : vantage == null ? VANTAGE : ok == null ? OK : latency == null ? LATENCY_MS : null;
    if (missing != null) {
      return problem(missing + " is missing or blank");
    }
    if (span.getEndTimeUnixNano() <= 0) {
      return problem("end_time_unix_nano is missing");
    }
    if (!ok && error == null) {
      error = NO_ERROR_REPORTED;
    }
    Instant end = Instant.ofEpochSecond(0, span.getEndTimeUnixNano());
    return new Parsed(new ProbeObservation(end, run, journey, step, cloud, vantage, ok, latency, ok ? null : error,
        attempts == null ? 1 : attempts.intValue(), critical), null);
  }

  private static Parsed problem(String why) {
    return new Parsed(null, why);
  }

  private static String text(AnyValue value) {
    return value.hasStringValue() && !value.getStringValue().isBlank() ? value.getStringValue() : null;
  }

  /** An int attribute; a double with no fraction is taken too (some exporters only have doubles). */
  private static Long integer(AnyValue value) {
    if (value.hasIntValue()) {
      return value.getIntValue();
    }
    if (value.hasDoubleValue()) {
      double d = value.getDoubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
        return (long) d;
      }
    }
    return null;
  }
}
