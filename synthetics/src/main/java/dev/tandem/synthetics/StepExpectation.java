package dev.tandem.synthetics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a step's response must look like. Checked in this order, and the first miss is the
 * step's error: status, headers, body text, JSONPath values, latency.
 *
 * @param status accepted statuses; empty means any 2xx
 * @param jsonPath expected values, compared as text (numbers by value)
 * @param headers expected response header values (names case-insensitive), exact match
 * @param bodyContains text the body must contain; {@code null} for no check
 * @param maxLatencyMs the slowest acceptable answer; 0 for no bound
 */
public record StepExpectation(List<Integer> status, Map<JsonPath, String> jsonPath,
    Map<String, String> headers, String bodyContains, long maxLatencyMs) {

  public static final StepExpectation ANY_2XX = new StepExpectation(List.of(), Map.of(), Map.of(), null, 0);

  public StepExpectation {
    status = List.copyOf(status);
    for (int s : status) {
      if (s < 100 || s > 599) {
        throw new IllegalArgumentException("status " + s + " is not an HTTP status");
      }
    }
    jsonPath = Collections.unmodifiableMap(new LinkedHashMap<>(jsonPath));
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    if (maxLatencyMs < 0) {
      throw new IllegalArgumentException("maxLatencyMs must not be negative");
    }
  }

  boolean statusMatches(int code) {
    return status.isEmpty() ? code >= 200 && code <= 299 : status.contains(code);
  }

  String describeStatus() {
    return status.isEmpty() ? "2xx" : status.toString();
  }
}
