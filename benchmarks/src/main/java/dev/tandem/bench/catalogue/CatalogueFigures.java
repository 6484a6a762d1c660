package dev.tandem.bench.catalogue;

import dev.tandem.catalogue.CatalogueRun;
import dev.tandem.catalogue.GrayFailure;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.server.demo.Scenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The gray-failure catalogue's figures (issue 13, "Measured"), replayed and live.
 *
 * <p>Replay: every case through {@link CatalogueRun} (the engine on a virtual clock), straight after
 * the healthy lead-in and after an hour of healthy history. Live: every case that can be played
 * through the demo's loop ({@link LivePlay}: the simulator, three observers, the failover
 * controller; probes every 5 s, hold-down 20 s; fresh state each run; obs-primary pages a local
 * Events v2 stand-in). For each case and in total: false FAILOVER and false HOLD (a
 * recommendation outside the case's allowed set; live, per observer, and switches the case does
 * not allow), pages to the owner for observer-side faults, incidents per routing key (at most 1),
 * and the time from the fault to FAILOVER.
 *
 * <p>Run from the repository root: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tandem.bench.catalogue.CatalogueFigures [--live all|none|ID,ID] [--replay all|none]
 * [--repeat N] [--watch SECONDS] [--keep]}. {@code --watch} replaces each live case's watching time;
 * {@code --keep} keeps every live run's state (each observer's audit log); a run with a judgement
 * problem keeps its state anyway.
 */
public final class CatalogueFigures {
  /** The live cases: how long each is watched and whether a switch ends it early. */
  static final List<LivePlay.LiveCase> LIVE = List.of(
      live(GrayFailure.CLOUD_OUTAGE, 150, true),
      live(GrayFailure.CLOUD_OUTAGE_503, 150, true),
      live(GrayFailure.BROWNOUT_10, 360, true),
      live(GrayFailure.BROWNOUT_35, 150, true),
      live(GrayFailure.BROWNOUT_60, 150, true),
      live(GrayFailure.COMPONENT_TWO_SLOS, 240, false),
      live(GrayFailure.LOSSY_VANTAGE_20, 240, false),
      live(GrayFailure.LOSSY_VANTAGE_50, 180, false),
      live(GrayFailure.LATENCY_BROWNOUT, 600, false),
      live(GrayFailure.SHARED_DEPENDENCY, 120, false),
      live(GrayFailure.CLOCK_AHEAD, 120, false),
      live(GrayFailure.BLIP, 120, false),
      live(GrayFailure.VANTAGE_LOST, 120, false),
      live(GrayFailure.VANTAGE_LOST_DURING_OUTAGE, 180, true),
      live(GrayFailure.SILENT_PATH, 120, false),
      live(GrayFailure.LAG_OVER_RPO, 120, false),
      live(GrayFailure.FLAPPING_OUTAGE, 330, false),
      live(GrayFailure.RECOVERY, 240, false));

  private CatalogueFigures() {}

  private static LivePlay.LiveCase live(GrayFailure g, int watchSeconds, boolean endsAfterSwitch) {
    Scenario s = Scenario.byId(g.id()).orElseThrow(() -> new IllegalStateException("no demo scenario for " + g.id()));
    return new LivePlay.LiveCase(g, s, watchSeconds, endsAfterSwitch);
  }

  /** One line of figures for one case and one way of playing it. */
  record Row(String caseId, String mode, String recommendations, int falseFailover, int falseHold, int falseSwitches,
      int ownerPages, int maxIncidentsPerKey, int escalations, String triggers, double failoverAt,
      double quorumAt, double switchAt, String note) {}

  public static void main(String[] args) throws Exception {
    String liveArg = "all";
    String replayArg = "all";
    int repeat = 1;
    int watch = -1;
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--live" -> liveArg = args[++i];
        case "--replay" -> replayArg = args[++i];
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--watch" -> watch = Integer.parseInt(args[++i]);
        case "--keep" -> keep = true;
        default -> throw new IllegalArgumentException("unknown argument '" + args[i]
            + "'; usage: [--live all|none|ID,ID] [--replay all|none] [--repeat N] [--watch SECONDS] [--keep]");
      }
    }
    PrintStream out = System.out;
    out.println("Gray-failure catalogue figures; machine: " + Machine.describe());
    List<Row> replayRows = new ArrayList<>();
    if (!replayArg.equals("none")) {
      out.println();
      out.println("Replay (the engine on a virtual clock, the catalogue's fleet: 4 vantages, each its own failure domain;"
          + " fresh = straight after the 5-minute lead-in, aged = after an hour of healthy history)");
      header(out);
      for (GrayFailure g : GrayFailure.values()) {
        for (Duration history : g == GrayFailure.SLOW_BURN ? List.of(Duration.ZERO)
            : List.of(Duration.ZERO, Duration.ofHours(1))) {
          Row r = replayRow(g, history);
          replayRows.add(r);
          print(out, r);
        }
      }
      totals(out, "replay", replayRows);
    }
    List<Row> liveRows = new ArrayList<>();
    if (!liveArg.equals("none")) {
      List<String> wanted = liveArg.equals("all") ? LIVE.stream().map(c -> c.failure().id()).toList()
          : Arrays.asList(liveArg.split(","));
      out.println();
      out.println("Live (the demo's loop in this process: three observers x 3 vantages, the controller, the simulator;"
          + " probes every 5 s, tick 5 s, hold-down 20 s, quorum 2 of 3; fresh state each run; pages from obs-primary;"
          + " recommendations per observer P(rimary) S(econdary) E(xternal))");
      header(out);
      Clock clock = Clock.systemUTC();
      for (String id : wanted) {
        LivePlay.LiveCase listed = LIVE.stream().filter(l -> l.failure().id().equals(id)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no live case '" + id + "'; known: "
                + LIVE.stream().map(l -> l.failure().id()).collect(Collectors.joining(", "))));
        LivePlay.LiveCase c = watch > 0
            ? new LivePlay.LiveCase(listed.failure(), listed.scenario(), watch, listed.endsAfterSwitch()) : listed;
        for (int run = 0; run < repeat; run++) {
          Path dir = Files.createTempDirectory("tandem-catalogue-" + id + "-");
          LivePlay.Result result = LivePlay.play(c, dir, clock);
          Row r = liveRow(result);
          liveRows.add(r);
          print(out, r);
          boolean problem = !result.baseline() || r.falseFailover() + r.falseHold() + r.falseSwitches() + r.ownerPages() > 0
              || r.maxIncidentsPerKey() > 1 || !result.pagerViolations().isEmpty();
          if (problem) {
            details(out, result);
          }
          if (keep || problem) {
            out.println("    state kept (audit logs: " + dir + "/data*/audit.jsonl)");
          } else {
            deleteTree(dir);
          }
        }
      }
      totals(out, "live", liveRows);
    }
    detection(out, replayRows, liveRows);
    // The loop's threads (Vert.x, OpenTelemetry exporters) are all stopped; exit in case one lingers.
    System.exit(0);
  }

  private static Row replayRow(GrayFailure g, Duration history) {
    CatalogueRun.Outcome o = CatalogueRun.replay(g, history, 1);
    String mode = history.isZero() ? "fresh" : "aged";
    return new Row(g.id(), mode, o.recommendations().stream().map(Enum::name).collect(Collectors.joining(">")),
        o.wrong().contains(Recommendation.FAILOVER) ? 1 : 0, o.wrong().contains(Recommendation.HOLD) ? 1 : 0, 0,
        g.observerSide() ? o.ownerTriggers().size() : 0, maxIncidents(o), o.escalations(), triggers(o),
        o.firstSecondOf(Recommendation.FAILOVER), -1, -1, "");
  }

  private static Row liveRow(LivePlay.Result r) {
    GrayFailure g = r.c().failure();
    if (!r.baseline()) {
      return new Row(g.id(), "live", "-", 0, 0, 0, 0, 0, 0, "", -1, -1, -1, r.why());
    }
    List<String> names = List.of("P", "S", "E");
    StringBuilder recs = new StringBuilder();
    int falseFailover = 0;
    int falseHold = 0;
    for (int i = 0; i < r.observers().size(); i++) {
      CatalogueRun.Outcome o = r.observers().get(i);
      recs.append(i == 0 ? "" : " ").append(names.get(i)).append(':')
          .append(o.recommendations().stream().map(Enum::name).collect(Collectors.joining(">")));
      falseFailover += o.wrong().contains(Recommendation.FAILOVER) ? 1 : 0;
      falseHold += o.wrong().contains(Recommendation.HOLD) ? 1 : 0;
    }
    int falseSwitches = g.allowed().contains(Recommendation.FAILOVER) ? 0 : r.switches();
    CatalogueRun.Outcome paging = r.paging();
    String note = String.format(Locale.ROOT, "%d switch(es); load %.1f-%.1f", r.switches(), r.loadBefore(),
        r.loadAfter());
    return new Row(g.id(), "live", recs.toString(), falseFailover, falseHold, falseSwitches,
        g.observerSide() ? paging.ownerTriggers().size() : 0, maxIncidents(paging), paging.escalations(),
        triggers(paging), r.firstFailover(), r.quorumFailover(), r.switchAt(), note);
  }

  private static int maxIncidents(CatalogueRun.Outcome o) {
    return o.incidentsByRouting().values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  private static String triggers(CatalogueRun.Outcome o) {
    return o.triggers().stream().map(p -> p.severity() + "/" + p.routing() + "/"
        + p.dedupKey().replace("tandem/order-platform/", "").replace("tandem/observability/", "obs:"))
        .collect(Collectors.joining(", "));
  }

  private static void header(PrintStream out) {
    out.printf(Locale.ROOT, "%-27s %-5s %-3s %-3s %-3s %-5s %-4s %-3s %-7s %-7s %-7s %s%n", "case", "mode", "fF",
        "fH", "fSw", "owner", "inc", "esc", "FAILOV", "quorum", "switch", "recommendations | triggers | note");
  }

  private static void print(PrintStream out, Row r) {
    out.printf(Locale.ROOT, "%-27s %-5s %-3d %-3d %-3d %-5d %-4d %-3d %-7s %-7s %-7s %s | %s%s%n", r.caseId(), r.mode(),
        r.falseFailover(), r.falseHold(), r.falseSwitches(), r.ownerPages(), r.maxIncidentsPerKey(), r.escalations(),
        seconds(r.failoverAt()), seconds(r.quorumAt()), seconds(r.switchAt()), r.recommendations(),
        r.triggers().isEmpty() ? "no page" : r.triggers(), r.note().isEmpty() ? "" : " | " + r.note());
  }

  private static String seconds(double s) {
    return s < 0 ? "-" : String.format(Locale.ROOT, "%.1fs", s);
  }

  private static void totals(PrintStream out, String mode, List<Row> rows) {
    out.printf(Locale.ROOT, "TOTAL %s: %d runs; false FAILOVER %d, false HOLD %d, false switches %d, owner pages for"
            + " observer-side faults %d, most incidents on one routing key in one case %d (escalations of an open"
            + " incident %d)%n", mode, rows.size(),
        rows.stream().mapToInt(Row::falseFailover).sum(), rows.stream().mapToInt(Row::falseHold).sum(),
        rows.stream().mapToInt(Row::falseSwitches).sum(), rows.stream().mapToInt(Row::ownerPages).sum(),
        rows.stream().mapToInt(Row::maxIncidentsPerKey).max().orElse(0),
        rows.stream().mapToInt(Row::escalations).sum());
  }

  /** Fault to FAILOVER for the 35% brownout and the full outage, replayed and live. */
  private static void detection(PrintStream out, List<Row> replay, List<Row> live) {
    out.println();
    out.println("Detection (fault start to FAILOVER; live: first observer, second observer = the controller's"
        + " quorum, and the switch; a full outage must reach FAILOVER within 35 s)");
    for (String id : List.of(GrayFailure.BROWNOUT_35.id(), GrayFailure.CLOUD_OUTAGE.id())) {
      for (Row r : Stream.concat(replay.stream(), live.stream()).filter(r -> r.caseId().equals(id)).toList()) {
        out.printf(Locale.ROOT, "  %-13s %-5s FAILOVER %-7s quorum %-7s switch %s%n", id, r.mode(),
            seconds(r.failoverAt()), seconds(r.quorumAt()), seconds(r.switchAt()));
      }
    }
  }

  /** What a judgement problem looked like: every observer's verdict changes and the pages. */
  private static void details(PrintStream out, LivePlay.Result r) {
    if (!r.baseline()) {
      out.println("    " + r.why());
      return;
    }
    for (int i = 0; i < r.observers().size(); i++) {
      out.println("    " + dev.tandem.server.demo.LoopDemo.OBSERVERS.get(i) + ":");
      for (CatalogueRun.Change c : r.observers().get(i).changes()) {
        out.printf(Locale.ROOT, "      %+7.1fs %-8s %-10s active %-10s %s%n", c.seconds(), c.recommendation(),
            c.state(), c.activeFault(), c.activeRule());
      }
    }
    for (CatalogueRun.Page p : r.paging().pages()) {
      out.printf(Locale.ROOT, "    page %+7.1fs %s%n", p.seconds(), p);
    }
    r.pagerViolations().forEach(v -> out.println("    Events v2 violation: " + v));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
