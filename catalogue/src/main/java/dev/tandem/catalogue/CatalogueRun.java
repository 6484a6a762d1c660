package dev.tandem.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.replay.Replay;
import dev.tandem.engine.verdict.Recommendation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Plays a catalogue case through {@link Replay} and reads what came out: the recommendations
 * over time, the pages sent, and the figures the catalogue is judged by (false FAILOVER and
 * HOLD, owner pages for the observers' own faults, incidents per routing key).
 */
public final class CatalogueRun {
  /** A verdict change, {@code seconds} after the fault began (negative before). */
  public record Change(double seconds, Recommendation recommendation, String state, String activeFault,
      String activeRule) {}

  /** A page event sent: action, severity, routing role and dedup key. */
  public record Page(double seconds, String action, String severity, String routing, String dedupKey) {
    public boolean trigger() {
      return action.equals("trigger");
    }

    @Override
    public String toString() {
      return action + " " + severity + " " + routing + " " + dedupKey;
    }
  }

  /** A burn-rate (or no-data) alert change: {@code slo/cloud tier firing|cleared}. */
  public record Alert(double seconds, String slo, String cloud, String tier, String severity, boolean firing) {}

  /** What one replay of one case produced. */
  public record Outcome(GrayFailure failure, List<Change> changes, List<Page> pages, List<Alert> alerts, long lines) {
    /** The recommendations in order, each change of recommendation once. */
    public List<Recommendation> recommendations() {
      List<Recommendation> out = new ArrayList<>();
      for (Change c : changes) {
        if (out.isEmpty() || out.get(out.size() - 1) != c.recommendation()) {
          out.add(c.recommendation());
        }
      }
      return out;
    }

    /** Seconds from the fault's start to the first verdict with {@code r}; -1 if none. */
    public double firstSecondOf(Recommendation r) {
      for (Change c : changes) {
        if (c.recommendation() == r && c.seconds() >= 0) {
          return c.seconds();
        }
      }
      return -1;
    }

    /** Recommendations given during the case that the catalogue does not allow. */
    public Set<Recommendation> wrong() {
      Set<Recommendation> out = new TreeSet<>();
      for (Change c : changes) {
        if (!failure.allowed().contains(c.recommendation())) {
          out.add(c.recommendation());
        }
      }
      return out;
    }

    /** Incidents opened per routing role (a trigger for a key not already open). */
    public Map<String, Integer> incidentsByRouting() {
      Map<String, Integer> out = new LinkedHashMap<>();
      Set<String> open = new TreeSet<>();
      for (Page p : pages) {
        if (p.trigger()) {
          if (open.add(p.dedupKey())) {
            out.merge(p.routing(), 1, Integer::sum);
          }
        } else {
          open.remove(p.dedupKey());
        }
      }
      return out;
    }

    /** Triggers that escalated an open incident (same key, higher severity). */
    public int escalations() {
      int n = 0;
      Set<String> open = new TreeSet<>();
      for (Page p : pages) {
        if (p.trigger() && !open.add(p.dedupKey())) {
          n++;
        } else if (!p.trigger()) {
          open.remove(p.dedupKey());
        }
      }
      return n;
    }

    /** Pages to the service owner (triggers routed SERVICE). */
    public List<Page> ownerTriggers() {
      return pages.stream().filter(p -> p.trigger() && p.routing().equals("SERVICE")).toList();
    }

    public List<Page> triggers() {
      return pages.stream().filter(Page::trigger).toList();
    }

    /** Changes of recommendation or of the active cloud's fault: how much the verdict churned. */
    public int verdictChanges() {
      return changes.size();
    }
  }

  private CatalogueRun() {}

  /** Replays {@code c} after {@code history} of healthy traffic, with the catalogue's fleet. */
  public static Outcome replay(GrayFailure c, Duration history, long seed) {
    return replay(c, history, seed, Fleet.spec());
  }

  public static Outcome replay(GrayFailure c, Duration history, long seed, EngineSpec spec) {
    String log = CatalogueLog.text(c, history, seed);
    StringWriter out = new StringWriter();
    try {
      new Replay(spec, Fleet.slos()).run(new BufferedReader(new StringReader(log)), out, n -> { });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return read(c, CatalogueLog.faultStart(history), out.toString(), log.chars().filter(ch -> ch == '\n').count());
  }

  /** Reads replay output lines (CONTRACTS.md section 5) into an outcome. */
  public static Outcome read(GrayFailure c, Instant faultStart, String output, long lines) {
    ObjectMapper json = new ObjectMapper();
    List<Change> changes = new ArrayList<>();
    List<Page> pages = new ArrayList<>();
    List<Alert> alerts = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n;
      try {
        n = json.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      double seconds = Duration.between(faultStart, Instant.parse(n.get("ts").asText())).toMillis() / 1000.0;
      switch (n.get("type").asText()) {
        case "verdict": {
          JsonNode v = n.get("verdict");
          JsonNode active = null;
          for (JsonNode cloud : v.get("clouds")) {
            if (cloud.path("role").asText().equals("active")) {
              active = cloud;
            }
          }
          changes.add(new Change(seconds, Recommendation.valueOf(v.get("recommendation").asText()),
              v.path("state").asText(""), active == null ? "" : active.path("fault").asText(),
              active == null ? "" : active.path("rule").asText("")));
          break;
        }
        case "page": {
          JsonNode e = n.get("event");
          pages.add(new Page(seconds, e.get("event_action").asText(), e.at("/payload/severity").asText(),
              e.get("routing_key").asText(), e.get("dedup_key").asText()));
          break;
        }
        case "slo-alert":
          alerts.add(new Alert(seconds, n.get("slo").asText(), n.get("cloud").asText(), n.get("tier").asText(),
              n.get("severity").asText(), n.get("firing").asBoolean()));
          break;
        default:
          break;
      }
    }
    return new Outcome(c, changes, pages, alerts, lines);
  }
}
