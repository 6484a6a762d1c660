package dev.tandem.engine.observation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads and writes observation log lines (CONTRACTS.md section 5). One line, one JSON object,
 * {@code ts} in RFC 3339 UTC. Unknown fields are ignored on read, so that newer writers do not
 * break older readers; unknown {@code type}s are rejected, with the line's problem named.
 */
public final class ObservationCodec {
  private final ObjectMapper json;

  public ObservationCodec(ObjectMapper json) {
    this.json = json;
  }

  public ObservationCodec() {
    this(new ObjectMapper());
  }

  public String encode(Observation o) {
    ObjectNode n = json.createObjectNode();
    n.put("ts", o.ts().toString());
    n.put("type", o.type());
    if (o instanceof ProbeObservation p) {
        n.put("run", p.run());
        n.put("journey", p.journey());
        n.put("step", p.step());
        n.put("cloud", p.cloud());
        n.put("vantage", p.vantage());
        n.put("ok", p.ok());
        n.put("latencyMs", p.latencyMs());
        if (p.error() != null) {
          n.put("error", p.error());
        }
        if (p.attempts() > 1) {
          n.put("attempts", p.attempts());
        }
    } else if (o instanceof SliObservation s) {
        n.put("slo", s.slo());
        n.put("cloud", s.cloud());
        if (s.path() != null) {
          n.put("path", s.path());
        }
        n.put("good", s.good());
        n.put("total", s.total());
    } else if (o instanceof HeartbeatObservation h) {
        n.put("path", h.path());
        n.put("cloud", h.cloud());
    } else if (o instanceof ReplicationObservation r) {
        n.put("domain", r.domain());
        n.put("cloud", r.cloud());
        n.put("lagSeconds", r.lagSeconds());
    } else if (o instanceof TelemetryObservation t) {
        n.put("path", t.path());
        n.put("cloud", t.cloud());
        n.put("service", t.service());
        n.put("operation", t.operation());
        n.put("source", t.source());
        n.put("good", t.good());
        n.put("total", t.total());
    }
    try {
      return json.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an observation", e);
    }
  }

  /**
   * Decodes one line.
   *
   * @throws IllegalArgumentException with a message that says what is wrong with the line
   */
  public Observation decode(String line) {
    JsonNode n;
    try {
      n = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    Instant ts = instant(n);
    String type = text(n, "type");
    return switch (type) {
      case ProbeObservation.TYPE -> new ProbeObservation(ts, text(n, "run"), text(n, "journey"),
          text(n, "step"), text(n, "cloud"), text(n, "vantage"), bool(n, "ok"),
          number(n, "latencyMs").longValue(), optText(n, "error"),
          n.has("attempts") ? number(n, "attempts").intValue() : 1);
      case SliObservation.TYPE -> new SliObservation(ts, text(n, "slo"), text(n, "cloud"),
          optText(n, "path"), number(n, "good").longValue(), number(n, "total").longValue());
      case HeartbeatObservation.TYPE -> new HeartbeatObservation(ts, text(n, "path"), text(n, "cloud"));
      case ReplicationObservation.TYPE -> new ReplicationObservation(ts, text(n, "domain"),
          text(n, "cloud"), number(n, "lagSeconds").doubleValue());
      case TelemetryObservation.TYPE -> new TelemetryObservation(ts, text(n, "path"), text(n, "cloud"),
          text(n, "service"), text(n, "operation"), text(n, "source"),
          number(n, "good").longValue(), number(n, "total").longValue());
      default -> throw new IllegalArgumentException("unknown type '" + type + "'");
    };
  }

  private static Instant instant(JsonNode n) {
    String ts = text(n, "ts");
    try {
      return java.time.OffsetDateTime.parse(ts).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'ts' is not an RFC 3339 time: " + ts);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException("missing or empty string field '" + field + "'");
    }
    return v.asText();
  }

  private static String optText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Number number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("missing or non-numeric field '" + field + "'");
    }
    return v.numberValue();
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("missing or non-boolean field '" + field + "'");
    }
    return v.booleanValue();
  }
}
