package dev.tandem.engine.observation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
        if (!p.critical()) {
          n.put("critical", false);
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
        if (t.latency() != null) {
          com.fasterxml.jackson.databind.node.ArrayNode le = n.putArray("latencyLe");
          for (long c : t.latency().le()) {
            le.add(c);
          }
        }
    } else if (o instanceof SwitchObservation s) {
        n.put("domain", s.domain());
        n.put("active", s.active());
        n.put("by", s.by());
    } else if (o instanceof MaintenanceObservation m) {
        n.put("action", m.action().wire());
        n.put("id", m.id());
        if (m.action() == MaintenanceObservation.Action.ADD) {
          if (m.slo() != null) {
            n.put("slo", m.slo());
          }
          if (m.cloud() != null) {
            n.put("cloud", m.cloud());
          }
          n.put("start", m.start().toString());
          n.put("end", m.end().toString());
          n.put("reason", m.reason());
        }
        n.put("by", m.by());
    }
    try {
      return json.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an observation", e);
    }
  }

  /**
   * Decodes one line with a streaming parser (no tree): replay reads hundreds of thousands of
   * lines a second through here.
   *
   * @throws IllegalArgumentException with a message that says what is wrong with the line
   */
  public Observation decode(String line) {
    Fields f = new Fields();
    try (JsonParser p = json.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        f.set(name, v, p);
      }
      if (t != JsonToken.END_OBJECT) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing data after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("unreadable: " + e.getMessage());
    }
    Instant ts = f.instant();
    String type = f.text("type");
    switch (type) {
      case ProbeObservation.TYPE:
        return new ProbeObservation(ts, f.text("run"), f.text("journey"), f.text("step"), f.text("cloud"),
            f.text("vantage"), f.bool("ok"), f.number("latencyMs").longValue(), f.optText("error"),
            f.has("attempts") ? f.number("attempts").intValue() : 1,
            !f.has("critical") || f.bool("critical"));
      case SliObservation.TYPE:
        return new SliObservation(ts, f.text("slo"), f.text("cloud"), f.optText("path"),
            f.number("good").longValue(), f.number("total").longValue());
      case HeartbeatObservation.TYPE:
        return new HeartbeatObservation(ts, f.text("path"), f.text("cloud"));
      case ReplicationObservation.TYPE:
        return new ReplicationObservation(ts, f.text("domain"), f.text("cloud"),
            f.number("lagSeconds").doubleValue());
      case TelemetryObservation.TYPE:
        return new TelemetryObservation(ts, f.text("path"), f.text("cloud"), f.text("service"),
            f.text("operation"), f.text("source"), f.number("good").longValue(), f.number("total").longValue(),
            f.latency());
      case SwitchObservation.TYPE:
        return new SwitchObservation(ts, f.text("domain"), f.text("active"), f.text("by"));
      case MaintenanceObservation.TYPE: {
        MaintenanceObservation.Action action = MaintenanceObservation.Action.fromWire(f.text("action"));
        if (action == MaintenanceObservation.Action.REMOVE) {
          return MaintenanceObservation.removed(ts, f.text("id"), f.text("by"));
        }
        return MaintenanceObservation.added(ts, f.text("id"), f.optText("slo"), f.optText("cloud"),
            f.instant("start"), f.instant("end"), f.optText("reason"), f.text("by"));
      }
      default:
        throw new IllegalArgumentException("unknown type '" + type + "'");
    }
  }

  /**
   * The top-level fields of one line, in fixed slots (no map per line); unknown fields are
   * ignored and nested values skipped (no known field is nested).
   */
  private static final class Fields {
    private static final String[] NAMES = {"ts", "type", "run", "journey", "step", "cloud", "vantage", "ok",
        "latencyMs", "error", "attempts", "slo", "path", "good", "total", "domain", "lagSeconds", "service",
        "operation", "source", "latencyLe", "critical", "active", "by", "action", "id", "start", "end", "reason"};
    private final Object[] slots = new Object[NAMES.length];

    private static int slot(String name) {
      switch (name) {
        case "ts": return 0;
        case "type": return 1;
        case "run": return 2;
        case "journey": return 3;
        case "step": return 4;
        case "cloud": return 5;
        case "vantage": return 6;
        case "ok": return 7;
        case "latencyMs": return 8;
        case "error": return 9;
        case "attempts": return 10;
        case "slo": return 11;
        case "path": return 12;
        case "good": return 13;
        case "total": return 14;
        case "domain": return 15;
        case "lagSeconds": return 16;
        case "service": return 17;
        case "operation": return 18;
        case "source": return 19;
        case "latencyLe": return 20;
        case "critical": return 21;
        case "active": return 22;
        case "by": return 23;
        case "action": return 24;
        case "id": return 25;
        case "start": return 26;
        case "end": return 27;
        case "reason": return 28;
        default: return -1;
      }
    }

    void set(String name, JsonToken token, JsonParser p) throws java.io.IOException {
      int i = slot(name);
      if (i < 0) {
        p.skipChildren();
        return;
      }
      switch (token) {
        case VALUE_STRING:
          slots[i] = p.getText();
          break;
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          slots[i] = p.getNumberValue();
          break;
        case VALUE_TRUE:
          slots[i] = Boolean.TRUE;
          break;
        case VALUE_FALSE:
          slots[i] = Boolean.FALSE;
          break;
        case VALUE_NULL:
          slots[i] = null;
          break;
        case START_ARRAY:
          if (i == 20) {
            List<Long> values = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
              values.add(p.getLongValue());
            }
            slots[i] = t == JsonToken.END_ARRAY ? values : WRONG_SHAPE;
            if (t != JsonToken.END_ARRAY) {
              p.skipChildren();
            }
            break;
          }
          slots[i] = WRONG_SHAPE;
          p.skipChildren();
          break;
        default:
          slots[i] = WRONG_SHAPE;
          p.skipChildren();
          break;
      }
    }

    LatencyCounts latency() {
      Object v = slots[20];
      if (v == null) {
        return null;
      }
      if (!(v instanceof List<?> list)) {
        throw new IllegalArgumentException("'latencyLe' must be an array of whole numbers");
      }
      long[] le = new long[list.size()];
      for (int k = 0; k < le.length; k++) {
        le[k] = (Long) list.get(k);
      }
      return new LatencyCounts(le);
    }

    private Object get(String field) {
      return slots[slot(field)];
    }

    boolean has(String field) {
      return get(field) != null;
    }

    String text(String field) {
      Object v = get(field);
      if (!(v instanceof String s) || s.isBlank()) {
        throw new IllegalArgumentException("missing or empty string field '" + field + "'");
      }
      return s;
    }

    String optText(String field) {
      Object v = get(field);
      return v == null || v == WRONG_SHAPE ? null : String.valueOf(v);
    }

    Number number(String field) {
      Object v = get(field);
      if (!(v instanceof Number n)) {
        throw new IllegalArgumentException("missing or non-numeric field '" + field + "'");
      }
      return n;
    }

    boolean bool(String field) {
      Object v = get(field);
      if (!(v instanceof Boolean b)) {
        throw new IllegalArgumentException("missing or non-boolean field '" + field + "'");
      }
      return b;
    }

    Instant instant() {
      return instant("ts");
    }

    Instant instant(String field) {
      String ts = text(field);
      Instant fast = Rfc3339.parseUtc(ts);
      if (fast != null) {
        return fast;
      }
      try {
        return java.time.OffsetDateTime.parse(ts).toInstant();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + field + "' is not an RFC 3339 time: " + ts);
      }
    }
  }

  private static final Object WRONG_SHAPE = new Object();

}
