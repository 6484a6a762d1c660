package dev.tandem.synthetics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The HTTP request of a step. {@code path}, query and header values and the strings of the JSON
 * body are templates (see {@link Template}).
 *
 * @param method an upper-case HTTP method from {@link #METHODS}
 * @param path relative to the target cloud's base URL; starts with {@code /}
 * @param json a JSON body as plain maps, lists, strings, numbers and booleans; or {@code null}
 * @param body a text body; or {@code null}. At most one of {@code json} and {@code body}.
 */
public record StepRequest(String method, String path, Map<String, String> headers,
    Map<String, String> query, Object json, String body) {

  public static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
  /** Headers the runner sets on every request; a journey may not set them. */
  public static final Set<String> RESERVED_HEADERS = Set.of("x-tandem-vantage",
      "x-tandem-journey", "x-tandem-synthetic", "traceparent", "tracestate");

  public StepRequest {
    Objects.requireNonNull(method, "method");
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("method '" + method + "' is not one of " + METHODS);
    }
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
      throw new IllegalArgumentException("path must start with '/' and hold no query: " + path);
    }
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    for (String name : headers.keySet()) {
      if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header " + name + " is set by the runner");
      }
    }
    query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    if (json != null && body != null) {
      throw new IllegalArgumentException("a request has either 'json' or 'body', not both");
    }
    variables(path, headers, query, json, body); // every template parses
  }

  /** The extracted variables this request reads. */
  public Set<String> variables() {
    return variables(path, headers, query, json, body);
  }

  private static Set<String> variables(String path, Map<String, String> headers,
      Map<String, String> query, Object json, String body) {
    Set<String> out = new LinkedHashSet<>();
    collect(path, out);
    headers.values().forEach(v -> collect(v, out));
    query.values().forEach(v -> collect(v, out));
    collectJson(json, out);
    collect(body, out);
    return out;
  }

  private static void collectJson(Object json, Set<String> out) {
    if (json instanceof String s) {
      collect(s, out);
    } else if (json instanceof Map<?, ?> m) {
      m.values().forEach(v -> collectJson(v, out));
    } else if (json instanceof List<?> l) {
      l.forEach(v -> collectJson(v, out));
    }
  }

  private static void collect(String text, Set<String> out) {
    if (text != null && Template.hasPlaceholders(text)) {
      out.addAll(Template.parse(text).variables());
    }
  }
}
