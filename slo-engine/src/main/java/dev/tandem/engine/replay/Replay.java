package dev.tandem.engine.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.SwitchObservation;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.verdict.VerdictJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Runs the engine over a recorded observation log on a virtual clock, as fast as the CPU allows
 * (CONTRACTS.md sections 1 and 5). Time moves only with the log: before each observation, every
 * evaluation tick up to its timestamp is played. A {@code switch} line makes the judge take the
 * new active cloud at the line's time ({@link VerdictEngine#reportActive(String, String, Instant)}:
 * the anti-flap period counts from it) and judge at once, as the live API does; a
 * {@code maintenance} line adds or removes a window from that instant on. Output lines are written in order of time and,
 * within one instant, in a fixed order, so replaying the same log twice gives identical bytes.
 */
public final class Replay {
  /** A line of the input that was reported and skipped. */
  public record Skipped(long line, String reason) {}

  /** What a replay did. */
  public record Summary(long lines, long observations, List<Skipped> skipped, long skippedCount,
      long verdictChanges,
      long sloAlertChanges, Instant first, Instant last) {}

  /** At most this many skipped lines are kept for the report; the count goes on. */
  static final int MAX_SKIPPED_KEPT = 1000;

  private final EngineSpec spec;
  private final List<SloSpec> slos;
  private final Duration flap;
  private final List<dev.tandem.engine.budget.MaintenanceWindow> maintenance;
  private final ObjectMapper json = new ObjectMapper();
  private final ObservationCodec codec = new ObservationCodec(json);
  private final VerdictJson verdictJson = new VerdictJson(json);
  private final dev.tandem.engine.paging.EventsV2Json pageJson = new dev.tandem.engine.paging.EventsV2Json(json);

  public Replay(EngineSpec spec, List<SloSpec> slos) {
    this(spec, slos, dev.tandem.engine.paging.PagingPolicy.DEFAULT_FLAP);
  }

  /** @param flap {@code paging.flapSeconds}: how long a problem must stay away before it is resolved */
  public Replay(EngineSpec spec, List<SloSpec> slos, Duration flap) {
    this(spec, slos, flap, List.of());
  }

  /**
   * @param maintenance the configuration's maintenance windows (those added through the API are
   *     {@code maintenance} lines of the log)
   */
  public Replay(EngineSpec spec, List<SloSpec> slos, Duration flap,
      List<dev.tandem.engine.budget.MaintenanceWindow> maintenance) {
    this.spec = spec;
    this.slos = List.copyOf(slos);
    this.flap = flap;
    this.maintenance = List.copyOf(maintenance);
  }

  /**
   * Replays {@code input} and writes verdict and SLO alert changes to {@code out}.
   *
   * @param progress told the number of characters read so far, now and then
   */
  public Summary run(BufferedReader input, Writer out, LongConsumer progress) throws IOException {
    VirtualClock clock = null;
    VerdictEngine verdicts = null;
    SloEngine budgets = null;
    dev.tandem.engine.paging.PagingPolicy paging = null;
    List<String> pending = new ArrayList<>();
    long[] changeCounts = new long[2];
    List<Skipped> skipped = new ArrayList<>();
    long skippedCount = 0;
    long lines = 0;
    long observations = 0;
    long verdictChanges = 0;
    long alertChanges = 0;
    long chars = 0;
    Instant first = null;
    Instant last = null;
    Instant nextTick = null;
    Duration tick = spec.settings().tick();
    String line;
    while ((line = input.readLine()) != null) {
      lines++;
      chars += line.length() + 1;
      if ((lines & 0xFFFF) == 0) {
        progress.accept(chars);
      }
      if (line.isBlank()) {
        continue;
      }
      Observation o;
      try {
        o = codec.decode(line);
      } catch (IllegalArgumentException e) {
        skippedCount++;
        if (skipped.size() < MAX_SKIPPED_KEPT) {
          skipped.add(new Skipped(lines, e.getMessage()));
        }
        continue;
      }
      if (last != null && o.ts().isAfter(last.plus(spec.settings().maxClockSkew()))) {
        // Stamped further ahead than any clock may run: refused by the engines (and counted
        // there, per sender), exactly as a live engine refuses it. Time does not move for it.
        verdicts.accept(o);
        budgets.accept(o);
        observations++;
        continue;
      }
      if (last != null && o.ts().isBefore(last)) {
        skippedCount++;
        if (skipped.size() < MAX_SKIPPED_KEPT) {
          skipped.add(new Skipped(lines, "out of order: " + o.ts() + " is before " + last));
        }
        continue;
      }
      if (clock == null) {
        first = o.ts();
        clock = new VirtualClock(first);
        verdicts = VerdictEngine.create(spec, clock);
        budgets = new SloEngine(slos, spec.clouds(), clock);
        budgets.setMaxClockSkew(spec.settings().maxClockSkew());
        maintenance.forEach(budgets::addMaintenance);
        verdicts.setSloSignals(budgets::pageTierFiring);
        List<String> sink = pending;
        long[] counted = changeCounts;
        verdicts.addListener((prev, next) -> {
          sink.add(verdictLine(next));
          counted[0]++;
        });
        budgets.addListener(change -> {
          sink.add(alertLine(change));
          counted[1]++;
        });
        // Page events after the change that caused them; suppressed and ticket-tier records are
        // not sent, so they are not page lines (CONTRACTS.md section 5: "for each event sent").
        paging = dev.tandem.engine.paging.PagingPolicy.create(spec, clock, flap);
        dev.tandem.engine.paging.PagingPolicy policy = paging;
        verdicts.addListener((prev, next) -> pageLines(policy.onVerdict(prev, next), sink));
        budgets.addListener(change -> pageLines(policy.onSloAlert(change), sink));
        nextTick = ceil(first, tick);
      }
      while (!nextTick.isAfter(o.ts())) {
        clock.set(nextTick);
        budgets.evaluate();
        verdicts.evaluate();
        pageLines(paging.evaluated(), pending);
        nextTick = nextTick.plus(tick);
      }
      flush(pending, out);
      clock.set(o.ts());
      verdicts.accept(o);
      budgets.accept(o);
      if (o instanceof SwitchObservation) {
        // The live API judges at once when a switch is reported; so does replay, at the line's time.
        verdicts.evaluate();
        flush(pending, out);
      }
      observations++;
      last = o.ts();
    }
    if (clock != null) {
      clock.set(nextTick);
      budgets.evaluate();
      verdicts.evaluate();
      pageLines(paging.evaluated(), pending);
      flush(pending, out);
    }
    verdictChanges = changeCounts[0];
    alertChanges = changeCounts[1];
    progress.accept(chars);
    out.flush();
    List<Skipped> report = skippedCount > skipped.size()
        ? append(skipped, new Skipped(-1, (skippedCount - skipped.size()) + " more lines skipped"))
        : skipped;
    return new Summary(lines, observations, report, skippedCount, verdictChanges, alertChanges, first, last);
  }

  private static List<Skipped> append(List<Skipped> list, Skipped extra) {
    List<Skipped> out = new ArrayList<>(list);
    out.add(extra);
    return out;
  }

  private static void flush(List<String> pending, Writer out) throws IOException {
    for (String l : pending) {
      out.write(l);
      out.write('\n');
    }
    pending.clear();
  }

  private static Instant ceil(Instant t, Duration tick) {
    long ms = tick.toMillis();
    long at = Math.floorDiv(t.toEpochMilli() + ms - 1, ms) * ms;
    return Instant.ofEpochMilli(at);
  }

  private String verdictLine(dev.tandem.engine.verdict.Verdict v) {
    ObjectNode n = json.createObjectNode();
    n.put("ts", v.generatedAt().toString());
    n.put("type", "verdict");
    n.set("verdict", verdictJson.encode(v));
    return n.toString();
  }

  /**
   * {@code {"ts","type":"page","event":<Events v2 body>}} per event sent; the body's
   * {@code routing_key} is the role ({@code SERVICE} or {@code OBSERVABILITY}): replay knows no
   * keys, and the role is what a reader checks.
   */
  private void pageLines(List<dev.tandem.engine.paging.PageRecord> records, List<String> sink) {
    for (dev.tandem.engine.paging.PageRecord r : records) {
      if (r.disposition() != dev.tandem.engine.paging.PageRecord.Disposition.SEND) {
        continue;
      }
      ObjectNode n = json.createObjectNode();
      n.put("ts", r.event().timestamp().toString());
      n.put("type", "page");
      n.set("event", pageJson.encode(r.event(), r.event().routing().name()));
      sink.add(n.toString());
    }
  }

  private String alertLine(SloAlertChange c) {
    ObjectNode n = json.createObjectNode();
    n.put("ts", c.ts().toString());
    n.put("type", "slo-alert");
    n.put("slo", c.slo());
    n.put("cloud", c.cloud());
    n.put("tier", c.tier());
    n.put("severity", c.severity());
    n.put("firing", c.firing());
    n.put("longBurn", c.longBurn());
    n.put("shortBurn", c.shortBurn());
    n.put("budgetRemaining", c.budgetRemaining());
    return n.toString();
  }
}
