package dev.tandem.engine.verdict;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** The wire shape of verdicts (CONTRACTS.md section 4), shared by the API and replay output. */
public final class VerdictJson {
  private final ObjectMapper json;

  public VerdictJson(ObjectMapper json) {
    this.json = json;
  }

  public ObjectNode observer(ObserverIdentity observer) {
    ObjectNode n = json.createObjectNode();
    n.put("id", observer.id());
    n.put("cloud", observer.cloud());
    return n;
  }

  public ObjectNode encode(Verdict v) {
    ObjectNode n = json.createObjectNode();
    n.put("domain", v.domain());
    n.set("observer", observer(v.observer()));
    n.put("generatedAt", v.generatedAt().toString());
    n.put("validUntil", v.validUntil().toString());
    n.put("recommendation", v.recommendation().name());
    n.put("since", v.since().toString());
    n.put("reason", v.reason());
    n.put("state", v.state().name());
    ObjectNode clouds = n.putObject("clouds");
    for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
      clouds.set(e.getKey(), encode(e.getValue()));
    }
    return n;
  }

  ObjectNode encode(CloudAssessment c) {
    ObjectNode n = json.createObjectNode();
    n.put("role", c.role());
    n.put("health", c.health().name());
    n.put("fault", c.fault().name());
    if (c.rule() != null) {
      n.put("rule", c.rule());
    }
    if (c.confirmingSince() != null) {
      n.put("confirmingSince", c.confirmingSince().toString());
      n.put("failoverPossibleAt", c.failoverPossibleAt().toString());
    }
    ArrayNode evidence = n.putArray("evidence");
    for (Evidence e : c.evidence()) {
      ObjectNode item = evidence.addObject();
      item.put("kind", e.kind());
      item.put("detail", e.detail());
      e.fields().forEach((k, value) -> item.set(k, json.valueToTree(value)));
    }
    if (c.ready() != null) {
      n.put("ready", c.ready());
    }
    if (c.isStandby()) {
      ArrayNode why = n.putArray("notReady");
      c.notReady().forEach(why::add);
    }
    if (c.isStandby()) {
      if (c.replicationLagSeconds() == null) {
        n.putNull("replicationLagSeconds");
      } else {
        n.put("replicationLagSeconds", c.replicationLagSeconds());
      }
    }
    if (c.rpoSeconds() != null) {
      n.put("rpoSeconds", c.rpoSeconds());
    }
    return n;
  }
}
