package dev.tandem.engine.paging;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One PagerDuty Events API v2 event, without its routing key (only its {@link Routing} role).
 *
 * @param dedupKey stable for the problem's scope, at most {@value #MAX_DEDUP_KEY} characters
 * @param summary at most {@value #MAX_SUMMARY} characters (longer ones are cut with an ellipsis)
 * @param customDetails the verdict and its evidence; values are strings, numbers, booleans, lists
 *     and maps, so that any JSON encoder can write them
 */
public record PageEvent(PageAction action, Routing routing, String dedupKey, String summary, String source,
    PageSeverity severity, Instant timestamp, String component, String group, String eventClass,
    Map<String, Object> customDetails) {

  public static final int MAX_SUMMARY = 1024;
  public static final int MAX_DEDUP_KEY = 255;

  public PageEvent {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(timestamp, "timestamp");
    if (dedupKey.isEmpty() || dedupKey.length() > MAX_DEDUP_KEY) {
      throw new IllegalArgumentException("dedupKey must have 1 to " + MAX_DEDUP_KEY + " characters: " + dedupKey);
    }
    if (summary.isBlank() || source.isBlank()) {
      throw new IllegalArgumentException("summary and source must not be blank");
    }
    summary = cut(summary, MAX_SUMMARY);
    customDetails = customDetails == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(customDetails));
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }
}
