package dev.tandem.engine.paging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The PagerDuty Events API v2 body of a {@link PageEvent} (CONTRACTS.md section 6). */
public final class EventsV2Json {
  private final ObjectMapper json;

  public EventsV2Json(ObjectMapper json) {
    this.json = json;
  }

  /**
   * The body to POST to {@code /v2/enqueue}.
   *
   * @param routingKey the real key when sending; a placeholder (the role name) anywhere the body
   *     is written down (outbox, audit log, replay output)
   */
  public ObjectNode encode(PageEvent e, String routingKey) {
    ObjectNode n = json.createObjectNode();
    n.put("routing_key", routingKey);
    n.put("event_action", e.action().wire());
    n.put("dedup_key", e.dedupKey());
    n.put("client", "Tandem");
    ObjectNode p = n.putObject("payload");
    p.put("summary", e.summary());
    p.put("source", e.source());
    p.put("severity", e.severity().wire());
    p.put("timestamp", e.timestamp().toString());
    if (e.component() != null) {
      p.put("component", e.component());
    }
    if (e.group() != null) {
      p.put("group", e.group());
    }
    if (e.eventClass() != null) {
      p.put("class", e.eventClass());
    }
    p.set("custom_details", json.valueToTree(e.customDetails()));
    return n;
  }
}
