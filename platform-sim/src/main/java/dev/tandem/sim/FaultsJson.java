package dev.tandem.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/** Reads and writes {@link CloudFaults} as the admin API's JSON; unknown keys are errors. */
final class FaultsJson {
  private static final Set<String> KEYS =
      Set.of("down", "errorRate", "latencyMs", "refuseVantages", "telemetryOff", "replicationLagSeconds",
          "replicationStalled", "vantageLoss");

  private FaultsJson() {}

  /** Parses a fault body; throws {@link IllegalArgumentException} naming the offending key. */
  static CloudFaults parse(JsonObject json) {
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown key '" + key + "', expected one of " + String.join(", ", sortedKeys()));
      }
    }
    boolean down = false;
    Object downValue = json.getValue("down");
    if (downValue != null) {
      if (!(downValue instanceof Boolean)) {
        throw new IllegalArgumentException("down: must be true or false");
      }
      down = (Boolean) downValue;
    }
    Map<String, Double> errorRate = new LinkedHashMap<>();
    Object rates = json.getValue("errorRate");
    if (rates != null) {
      if (!(rates instanceof JsonObject)) {
        throw new IllegalArgumentException("errorRate: must be an object of operation to rate, e.g. {\"allocate\": 0.5}");
      }
      for (Map.Entry<String, Object> e : (JsonObject) rates) {
        if (!(e.getValue() instanceof Number)) {
          throw new IllegalArgumentException("errorRate." + e.getKey() + ": must be a number between 0 and 1");
        }
        errorRate.put(e.getKey(), ((Number) e.getValue()).doubleValue());
      }
    }
    long latencyMs = 0;
    Object latency = json.getValue("latencyMs");
    if (latency != null) {
      if (!(latency instanceof Integer || latency instanceof Long)) {
        throw new IllegalArgumentException("latencyMs: must be a whole number of milliseconds");
      }
      latencyMs = ((Number) latency).longValue();
    }
    Set<String> vantages = new LinkedHashSet<>();
    Object refuse = json.getValue("refuseVantages");
    if (refuse != null) {
      if (!(refuse instanceof JsonArray)) {
        throw new IllegalArgumentException("refuseVantages: must be an array of vantage ids");
      }
      for (Object v : (JsonArray) refuse) {
        if (!(v instanceof String)) {
          throw new IllegalArgumentException("refuseVantages: must be an array of vantage ids");
        }
        vantages.add((String) v);
      }
    }
    Set<TelemetrySignal> off = EnumSet.noneOf(TelemetrySignal.class);
    Object telemetry = json.getValue("telemetryOff");
    if (Boolean.TRUE.equals(telemetry)) {
      off = EnumSet.allOf(TelemetrySignal.class);
    } else if (telemetry instanceof JsonArray) {
      for (Object s : (JsonArray) telemetry) {
        String name = String.valueOf(s);
        off.add(TelemetrySignal.byWireName(name).orElseThrow(() -> new IllegalArgumentException(
            "telemetryOff: unknown signal '" + name + "', expected traces or metrics")));
      }
    } else if (telemetry != null && !Boolean.FALSE.equals(telemetry)) {
      throw new IllegalArgumentException("telemetryOff: must be true, false or an array of \"traces\", \"metrics\"");
    }
    OptionalDouble lag = OptionalDouble.empty();
    Object lagValue = json.getValue("replicationLagSeconds");
    if (lagValue != null) {
      if (!(lagValue instanceof Number)) {
        throw new IllegalArgumentException("replicationLagSeconds: must be a number of seconds");
      }
      lag = OptionalDouble.of(((Number) lagValue).doubleValue());
    }
    boolean stalled = false;
    Object stalledValue = json.getValue("replicationStalled");
    if (stalledValue != null) {
      if (!(stalledValue instanceof Boolean)) {
        throw new IllegalArgumentException("replicationStalled: must be true or false");
      }
      stalled = (Boolean) stalledValue;
    }
    Map<String, Double> loss = new LinkedHashMap<>();
    Object lossValue = json.getValue("vantageLoss");
    if (lossValue != null) {
      if (!(lossValue instanceof JsonObject)) {
        throw new IllegalArgumentException("vantageLoss: must be an object of vantage id to share, e.g. {\"ext-1\": 0.5}");
      }
      for (Map.Entry<String, Object> e : (JsonObject) lossValue) {
        if (!(e.getValue() instanceof Number)) {
          throw new IllegalArgumentException("vantageLoss." + e.getKey() + ": must be a number between 0 and 1");
        }
        loss.put(e.getKey(), ((Number) e.getValue()).doubleValue());
      }
    }
    return new CloudFaults(down, errorRate, latencyMs, vantages, off, lag, stalled, loss);
  }

  static JsonObject toJson(CloudFaults faults) {
    JsonObject rates = new JsonObject();
    faults.errorRate().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> rates.put(e.getKey(), e.getValue()));
    JsonArray off = new JsonArray();
    for (TelemetrySignal signal : TelemetrySignal.values()) {
      if (faults.telemetryOff().contains(signal)) {
        off.add(signal.wireName());
      }
    }
    JsonObject json =
        new JsonObject()
            .put("down", faults.down())
            .put("errorRate", rates)
            .put("latencyMs", faults.latencyMs())
            .put("refuseVantages", new JsonArray(faults.refuseVantages().stream().sorted().toList()))
            .put("telemetryOff", off);
    if (faults.replicationLagSeconds().isPresent()) {
      json.put("replicationLagSeconds", faults.replicationLagSeconds().getAsDouble());
    } else {
      json.putNull("replicationLagSeconds");
    }
    JsonObject loss = new JsonObject();
    faults.vantageLoss().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> loss.put(e.getKey(), e.getValue()));
    return json.put("replicationStalled", faults.replicationStalled()).put("vantageLoss", loss);
  }

  private static java.util.List<String> sortedKeys() {
    return KEYS.stream().sorted().toList();
  }
}
