package dev.tandem.engine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.MaintenanceObservation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.SwitchObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayTest {
  private static final List<String> VANTAGES = List.of("ext-1", "in-primary", "in-secondary");
  private final ObservationCodec codec = new ObservationCodec();
  private final ObjectMapper json = new ObjectMapper();

  private static EngineSpec spec() {
    return new EngineSpec(new ObserverIdentity("obs-replay", "outside"), List.of("primary", "secondary"),
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice"), List.of("journey-availability"))),
        List.of(new VantageSpec("ext-1", "third-party", "eu"), new VantageSpec("in-primary", "primary", ""),
            new VantageSpec("in-secondary", "secondary", "")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60)));
  }

  private static List<SloSpec> slos() {
    return List.of(new SloSpec("journey-availability", "journey", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, "order-to-invoice")), null, null));
  }

  /** Ten minutes: healthy for four, then the primary fails for every vantage. */
  private String outageLog() {
    List<String> lines = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-26T10:00:03Z");
    for (int i = 0; i < 60; i++) {
      Instant t = t0.plusSeconds(10L * i);
      boolean down = i >= 24;
      for (String cloud : List.of("primary", "secondary")) {
        for (String v : VANTAGES) {
          boolean bad = down && cloud.equals("primary");
          lines.add(codec.encode(new ProbeObservation(t, "r" + i + v + cloud, "order-to-invoice", "submit-order",
              cloud, v, !bad, 30, bad ? "connect refused" : null)));
        }
      }
      if (!down) {
        lines.add(codec.encode(new HeartbeatObservation(t, "path-a", "primary")));
      }
      lines.add(codec.encode(new HeartbeatObservation(t, "path-b", "secondary")));
      lines.add(codec.encode(new ReplicationObservation(t, "order-platform", "secondary", 3.5)));
    }
    return String.join("\n", lines) + "\n";
  }

  private String replay(String log, List<Replay.Skipped> skipped) throws Exception {
    StringWriter out = new StringWriter();
    Replay.Summary s = new Replay(spec(), slos()).run(new BufferedReader(new StringReader(log)), out, n -> { });
    skipped.addAll(s.skipped());
    return out.toString();
  }

  @Test
  void outageReplaysToFailoverAndPageTier() throws Exception {
    String out = replay(outageLog(), new ArrayList<>());
    List<String> recommendations = new ArrayList<>();
    List<String> alerts = new ArrayList<>();
    for (String line : out.split("\n")) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("verdict")) {
        recommendations.add(n.at("/verdict/recommendation").asText());
      } else if (n.get("type").asText().equals("slo-alert")) {
        alerts.add(n.get("tier").asText() + ":" + n.get("firing").asBoolean());
      }
    }
    assertThat(recommendations).containsSubsequence("STAY", "FAILOVER");
    assertThat(recommendations.get(0)).isEqualTo("STAY");
    assertThat(alerts).contains("page-fast:true");
  }

  @Test
  void outageReplaysToPageLinesWithRolesNotKeys() throws Exception {
    String out = replay(outageLog(), new ArrayList<>());
    List<String> pages = new ArrayList<>();
    String failoverAt = null;
    for (String line : out.split("\n")) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("verdict") && failoverAt == null
          && n.at("/verdict/recommendation").asText().equals("FAILOVER")) {
        failoverAt = n.get("ts").asText();
      }
      if (n.get("type").asText().equals("page")) {
        JsonNode e = n.get("event");
        pages.add(e.get("event_action").asText() + " " + e.at("/payload/severity").asText() + " "
            + e.get("routing_key").asText() + " " + e.get("dedup_key").asText());
        assertThat(e.at("/payload/summary").asText().length()).isBetween(1, 1024);
        assertThat(n.get("ts").asText()).isEqualTo(e.at("/payload/timestamp").asText());
      }
    }
    // The SLO burns at a page tier while the outage is being confirmed: its page is held back, and
    // the outage pages critical once.
    assertThat(pages).containsExactly("trigger critical SERVICE tandem/order-platform/primary/CLOUD_WIDE");
    assertThat(out).contains("\"type\":\"page\",\"event\":{\"routing_key\":\"SERVICE\"");
    assertThat(failoverAt).isNotNull();
  }

  @Test
  void sameLogTwiceGivesIdenticalBytes() throws Exception {
    String log = outageLog();
    assertThat(replay(log, new ArrayList<>())).isEqualTo(replay(log, new ArrayList<>())).isNotEmpty();
  }

  @Test
  void malformedAndOutOfOrderLinesAreReportedWithLineNumbersAndSkipped() throws Exception {
    String good = codec.encode(new HeartbeatObservation(Instant.parse("2026-11-26T10:00:10Z"), "path-a", "primary"));
    String earlier = codec.encode(new HeartbeatObservation(Instant.parse("2026-11-26T10:00:05Z"), "path-a", "primary"));
    String log = good + "\n{not json\n" + earlier + "\n{\"ts\":\"2026-11-26T10:00:11Z\",\"type\":\"mystery\"}\n" + good + "\n";
    List<Replay.Skipped> skipped = new ArrayList<>();
    replay(log, skipped);
    assertThat(skipped).extracting(Replay.Skipped::line).containsExactly(2L, 3L, 4L);
    assertThat(skipped.get(0).reason()).startsWith("not JSON");
    assertThat(skipped.get(1).reason()).startsWith("out of order");
    assertThat(skipped.get(2).reason()).contains("unknown type 'mystery'");
  }

  /**
   * A line stamped two minutes ahead, amid lines in order, as a vantage with a fast clock writes
   * it: refused (as the live engine refuses it), not taken for the new "now", so the lines after it
   * are neither out of order nor lost.
   */
  @Test
  void aLineStampedFarAheadIsRefusedWithoutStoppingTheLinesAfterIt() throws Exception {
    String[] lines = outageLog().split("\n");
    List<String> withSkew = new ArrayList<>(List.of(lines).subList(0, 10));
    withSkew.add(codec.encode(new ProbeObservation(Instant.parse("2026-11-26T10:02:03Z"), "ahead", "order-to-invoice",
        "submit-order", "primary", "ext-1", true, 30, null)));
    withSkew.addAll(List.of(lines).subList(10, lines.length));
    List<Replay.Skipped> skipped = new ArrayList<>();
    String out = replay(String.join("\n", withSkew) + "\n", skipped);
    assertThat(skipped).isEmpty();
    assertThat(out).contains("\"recommendation\":\"FAILOVER\"");
  }

  /**
   * Healthy for four minutes; a controller reports the switch to secondary at 10:04:03; from
   * 10:04:33 the secondary fails for every vantage while the primary works and replicates.
   */
  private String switchThenNewActiveFails(boolean withSwitchLine) {
    List<String> lines = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-26T10:00:03Z");
    Instant switchAt = Instant.parse("2026-11-26T10:04:03Z");
    for (int i = 0; i < 60; i++) {
      Instant t = t0.plusSeconds(10L * i);
      boolean switched = !t.isBefore(switchAt);
      if (withSwitchLine && t.equals(switchAt)) {
        lines.add(codec.encode(new SwitchObservation(switchAt, "order-platform", "secondary", "controller-eu")));
      }
      boolean secondaryDown = i >= 27;
      for (String cloud : List.of("primary", "secondary")) {
        for (String v : VANTAGES) {
          boolean bad = secondaryDown && cloud.equals("secondary");
          lines.add(codec.encode(new ProbeObservation(t, "r" + i + v + cloud, "order-to-invoice", "submit-order",
              cloud, v, !bad, 30, bad ? "connect refused" : null)));
        }
      }
      lines.add(codec.encode(new HeartbeatObservation(t, "path-a", "primary")));
      if (!secondaryDown) {
        lines.add(codec.encode(new HeartbeatObservation(t, "path-b", "secondary")));
      }
      lines.add(codec.encode(new ReplicationObservation(t, "order-platform", switched ? "primary" : "secondary", 2.5)));
    }
    return String.join("\n", lines) + "\n";
  }

  private List<JsonNode> verdicts(String out) throws Exception {
    List<JsonNode> verdicts = new ArrayList<>();
    for (String line : out.split("\n")) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("verdict")) {
        verdicts.add(n.get("verdict"));
      }
    }
    return verdicts;
  }

  @Test
  void aSwitchLineMovesTheActiveCloudAndStartsTheAntiFlapPeriodAtItsTime() throws Exception {
    List<Replay.Skipped> skipped = new ArrayList<>();
    List<JsonNode> verdicts = verdicts(replay(switchThenNewActiveFails(true), skipped));
    assertThat(skipped).isEmpty();
    // Judged at the switch's own instant, as the live API does, with the roles swapped.
    assertThat(verdicts).anySatisfy(v -> {
      assertThat(v.get("generatedAt").asText()).isEqualTo("2026-11-26T10:04:03Z");
      assertThat(v.at("/clouds/secondary/role").asText()).isEqualTo("active");
    });
    // The new active fails within the anti-flap period counted from the line's time: HOLD, no
    // switch back until it has passed.
    assertThat(verdicts).anySatisfy(v -> {
      assertThat(v.get("recommendation").asText()).isEqualTo("HOLD");
      assertThat(v.get("reason").asText()).contains("became active at 10:04:03 UTC").contains("until 10:09:03 UTC");
    });
    JsonNode failover = verdicts.stream().filter(v -> v.get("recommendation").asText().equals("FAILOVER"))
        .findFirst().orElseThrow();
    assertThat(Instant.parse(failover.get("generatedAt").asText())).isAfterOrEqualTo(Instant.parse("2026-11-26T10:09:03Z"));
    assertThat(failover.get("reason").asText()).contains("Fail over to primary");
  }

  @Test
  void withoutTheSwitchLineTheSameProbesJudgeTheOldArrangement() throws Exception {
    List<JsonNode> verdicts = verdicts(replay(switchThenNewActiveFails(false), new ArrayList<>()));
    assertThat(verdicts).allSatisfy(v -> {
      assertThat(v.at("/clouds/primary/role").asText()).isEqualTo("active");
      assertThat(v.get("recommendation").asText()).isEqualTo("STAY");
    });
  }

  @Test
  void aMaintenanceLineKeepsTheOutageOutOfTheBudgetFromItsTimeOn() throws Exception {
    String window = codec.encode(MaintenanceObservation.added(Instant.parse("2026-11-26T10:00:03Z"), "mw-1",
        "journey-availability", "primary", Instant.parse("2026-11-26T10:03:00Z"),
        Instant.parse("2026-11-26T11:00:00Z"), "planned database upgrade", "ops"));
    String[] lines = outageLog().split("\n");
    String withWindow = lines[0] + "\n" + window + "\n"
        + String.join("\n", List.of(lines).subList(1, lines.length)) + "\n";
    List<Replay.Skipped> skipped = new ArrayList<>();
    String out = replay(withWindow, skipped);
    assertThat(skipped).isEmpty();
    assertThat(out).doesNotContain("\"tier\":\"page-fast\",\"severity\":\"page\",\"firing\":true");
    assertThat(replay(outageLog(), new ArrayList<>()))
        .contains("\"tier\":\"page-fast\",\"severity\":\"page\",\"firing\":true");

    // Removed again before the outage: the budget burns as without it.
    String removed = codec.encode(MaintenanceObservation.removed(Instant.parse("2026-11-26T10:00:13Z"), "mw-1", "ops"));
    List<String> addedThenRemoved = new ArrayList<>(List.of(lines));
    addedThenRemoved.add(1, window);
    int at = 0;
    while (!addedThenRemoved.get(at).contains("10:00:13Z")) {
      at++;
    }
    addedThenRemoved.add(at, removed);
    assertThat(replay(String.join("\n", addedThenRemoved) + "\n", skipped))
        .contains("\"tier\":\"page-fast\",\"severity\":\"page\",\"firing\":true");
    assertThat(skipped).isEmpty();
  }

  @Test
  void configuredMaintenanceWindowsApplyFromTheStart() throws Exception {
    StringWriter out = new StringWriter();
    new Replay(spec(), slos(), dev.tandem.engine.paging.PagingPolicy.DEFAULT_FLAP,
        List.of(new dev.tandem.engine.budget.MaintenanceWindow("cfg", null, "primary",
            Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T12:00:00Z"), "")))
        .run(new BufferedReader(new StringReader(outageLog())), out, n -> { });
    assertThat(out.toString()).doesNotContain("\"tier\":\"page-fast\",\"severity\":\"page\",\"firing\":true");
  }
}
