package dev.tandem.engine.slo;

import dev.tandem.engine.slo.MetricSource.SpecEntry;
import dev.tandem.engine.slo.SloDefinition.Objective;
import dev.tandem.engine.yaml.Problems;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns valid OpenSLO definitions into {@link SloSpec}s, reporting what Tandem does not serve:
 * metric sources other than {@code type: tandem}, {@code raw} ratios, composite parts, latency
 * objectives that are not "faster than", and tandem specs that Tandem cannot match.
 */
final class SloCompiler {
  /** The type of the only metric source Tandem serves (case-insensitive). */
  static final String TANDEM = "tandem";
  static final String HISTOGRAM_METRIC = "http.server.request.duration";

  /** Which side of an SLI a metric source stands on. */
  private enum Role {
    GOOD("good"), BAD("bad"), TOTAL("total"), THRESHOLD("thresholdMetric");

    final String word;

    Role(String word) {
      this.word = word;
    }
  }

  /** A served SLI: what it selects, and whether it is a latency (threshold) SLI. */
  private record Indicator(Selector selector, boolean latency) {}

  /** A tandem spec read: its selector, and where each filter value stands for messages. */
  private record Parsed(Selector selector, Map<String, SpecEntry> filterEntries, MetricSource source) {}

  private static final Map<Selector.Source, List<String>> FILTERS = Map.of(
      Selector.Source.PROBE, List.of(Selector.JOURNEY, Selector.STEP, Selector.VANTAGE),
      Selector.Source.SPAN, List.of(Selector.SERVICE, Selector.OPERATION, "span"),
      Selector.Source.HISTOGRAM, List.of(Selector.SERVICE, Selector.OPERATION, "metric"),
      Selector.Source.SLI, List.of());
  private static final Map<Selector.Source, String> GOOD_MEANS = Map.of(
      Selector.Source.PROBE, "a probe step is good when it passed",
      Selector.Source.SPAN, "a span is good when its status is not ERROR",
      Selector.Source.HISTOGRAM, "a request is good when its status is below 500",
      Selector.Source.SLI, "sli observations carry their good and total counts");
  private static final Set<String> KEYS = new LinkedHashSet<>(List.of("source", Selector.JOURNEY,
      Selector.STEP, Selector.VANTAGE, Selector.SERVICE, Selector.OPERATION, "span", "metric",
      "status", "goodWhen", "badWhen"));

  private final OpenSloCatalog catalog;
  private final Problems problems;
  private final Map<SliDefinition, Optional<Indicator>> served = new IdentityHashMap<>();

  SloCompiler(OpenSloCatalog catalog, Problems problems) {
    this.catalog = catalog;
    this.problems = problems;
  }

  List<SloSpec> compile() {
    // Every SLI is judged once, used or not: a standalone SLI Tandem cannot serve is worth knowing.
    for (SliDefinition sli : catalog.everyDefinition(SliDefinition.class)) {
      served(sli);
    }
    List<SloDefinition> slos = catalog.everyDefinition(SloDefinition.class);
    for (SloDefinition slo : slos) {
      if (slo.indicator().inline() != null) {
        served(slo.indicator().inline());
      }
    }
    Map<String, SloDefinition> named = catalog.slos();
    List<SloSpec> out = new ArrayList<>();
    for (SloDefinition slo : slos) {
      if (named.get(slo.name()) != slo) {
        continue; // a duplicate, reported by read
      }
      Optional<Indicator> indicator = catalog.indicator(slo).flatMap(this::served);
      if (indicator.isPresent()) {
        objectives(slo, indicator.get(), out);
      }
    }
    return List.copyOf(out);
  }

  private Optional<Indicator> served(SliDefinition sli) {
    Optional<Indicator> known = served.get(sli);
    if (known == null) {
      known = judge(sli);
      served.put(sli, known);
    }
    return known;
  }

  private Optional<Indicator> judge(SliDefinition sli) {
    SliDefinition.RatioMetric ratio = sli.ratioMetric();
    List<MetricSource> sources = new ArrayList<>();
    if (ratio == null) {
      sources.add(sli.thresholdMetric());
    } else if (ratio.raw() != null) {
      problems.add(ratio.rawAt(), "a 'raw' ratio metric is not served by Tandem: the ratio is"
          + " computed elsewhere, and Tandem computes SLIs from its own observations, counting"
          + " events (write 'good' or 'bad' over 'total' with type: tandem)");
      sources.add(ratio.raw());
    } else {
      sources.add(ratio.counted());
      sources.add(ratio.total());
    }
    for (MetricSource source : sources) {
      if (!isTandem(source)) {
        return Optional.empty(); // one problem per SLI, at its first foreign source
      }
    }
    if (ratio != null && ratio.raw() != null) {
      return Optional.empty();
    }
    if (ratio == null) {
      return parse(sli.thresholdMetric(), Role.THRESHOLD).flatMap(p -> {
        if (p.selector().source() == Selector.Source.SLI) {
          problems.add(p.source().spec().get("source").valueAt(), "a thresholdMetric needs"
              + " latencies, and sli observations carry only good and total counts (use source"
              + " probe, span or histogram)");
          return Optional.empty();
        }
        return Optional.of(new Indicator(p.selector(), true));
      });
    }
    Role counted = ratio.good() != null ? Role.GOOD : Role.BAD;
    Optional<Parsed> part = parse(ratio.counted(), counted);
    Optional<Parsed> total = parse(ratio.total(), Role.TOTAL);
    if (part.isEmpty() || total.isEmpty()) {
      return Optional.empty();
    }
    List<String> differences = differences(counted.word, part.get(), total.get());
    if (!differences.isEmpty()) {
      problems.add(ratio.counted().specAt(), counted.word + " and total must select the same"
          + " observations (" + GOOD_MEANS.get(total.get().selector().source()) + ", so "
          + counted.word + " adds no filter of its own): " + String.join("; ", differences));
      return Optional.empty();
    }
    return Optional.of(new Indicator(total.get().selector(), false));
  }

  private boolean isTandem(MetricSource source) {
    String type = source.type();
    String origin = "";
    if (type == null) {
      DataSourceDefinition ds = catalog.dataSources().get(source.metricSourceRef());
      if (ds == null) {
        problems.add(source.typeAt(), "metricSource has no 'type', and metricSourceRef '"
            + source.metricSourceRef() + "' names no DataSource in the files read (write type:"
            + " tandem)");
        return false;
      }
      type = ds.type();
      origin = " (of DataSource '" + ds.name() + "')";
    }
    if (!TANDEM.equals(type.toLowerCase(Locale.ROOT))) {
      problems.add(source.typeAt(), "metricSource type '" + type + "'" + origin
          + " is not served by Tandem: Tandem computes SLIs from its own observations (type: tandem)");
      return false;
    }
    return true;
  }

  /** Reads a tandem spec: {@code {source, journey, step, vantage, service, operation}}. */
  private Optional<Parsed> parse(MetricSource ms, Role role) {
    int before = problems.size();
    SpecEntry sourceEntry = ms.spec().get("source");
    if (sourceEntry == null) {
      problems.add(ms.specAt(), "a tandem metricSource needs 'source': probe, span, histogram or sli");
      return Optional.empty();
    }
    Optional<String> sourceText = text(sourceEntry, "source");
    if (sourceText.isEmpty()) {
      return Optional.empty();
    }
    Selector.Source source;
    try {
      source = Selector.Source.valueOf(sourceText.get().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(sourceEntry.valueAt(), "source must be probe, span, histogram or sli, found '"
          + sourceText.get() + "'");
      return Optional.empty();
    }
    String name = source.name().toLowerCase(Locale.ROOT);
    List<String> takes = FILTERS.get(source);
    Map<String, String> filters = new LinkedHashMap<>();
    Map<String, SpecEntry> filterEntries = new LinkedHashMap<>();
    for (Map.Entry<String, SpecEntry> e : ms.spec().entrySet()) {
      String key = e.getKey();
      SpecEntry entry = e.getValue();
      if (key.equals("source")) {
        continue;
      }
      if (!KEYS.contains(key)) {
        problems.add(entry.keyAt(), "unknown key '" + key + "' in a tandem metricSource spec"
            + " (source " + name + " takes: " + String.join(", ", takesWithSource(takes)) + ")");
        continue;
      }
      Optional<String> value = text(entry, key);
      if (value.isEmpty()) {
        continue;
      }
      if (key.equals("status") || key.equals("goodWhen") || key.equals("badWhen")) {
        qualifier(source, role, key, value.get(), entry);
      } else if (!takes.contains(key)) {
        problems.add(entry.keyAt(), "'" + key + "' does not filter " + name + " observations"
            + (takes.isEmpty() ? " (source sli takes no filter: its observations name the SLO)"
                : " (source " + name + " takes: " + String.join(", ", takesWithSource(takes)) + ")"));
      } else if (key.equals("metric")) {
        if (!HISTOGRAM_METRIC.equals(value.get())) {
          problems.add(entry.valueAt(), "Tandem's histogram SLIs read " + HISTOGRAM_METRIC
              + " only, found '" + value.get() + "'");
        }
      } else {
        // 'span' is the span's name: the operation of a span source.
        String filter = key.equals("span") ? Selector.OPERATION : key;
        if (filters.containsKey(filter)) {
          problems.add(entry.keyAt(), "'span' and 'operation' both name the span; give one");
          continue;
        }
        filters.put(filter, value.get());
        filterEntries.put(filter, entry);
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new Parsed(new Selector(source, filters), filterEntries, ms));
  }

  private static List<String> takesWithSource(List<String> takes) {
    List<String> out = new ArrayList<>();
    out.add("source");
    out.addAll(takes);
    return out;
  }

  /**
   * The keys that restate what makes an event good ({@code status: ok} on a span's good side,
   * {@code goodWhen: "status < 500"} on a histogram's): accepted where they agree with Tandem's
   * one definition of good, a problem anywhere else.
   */
  private void qualifier(Selector.Source source, Role role, String key, String value, SpecEntry entry) {
    String expected = null;
    if (source == Selector.Source.SPAN && key.equals("status")) {
      expected = role == Role.GOOD ? "ok" : role == Role.BAD ? "error" : null;
    } else if (source == Selector.Source.HISTOGRAM && key.equals("goodWhen") && role == Role.GOOD) {
      expected = "status < 500";
    } else if (source == Selector.Source.HISTOGRAM && key.equals("badWhen") && role == Role.BAD) {
      expected = "status >= 500";
    }
    String means = GOOD_MEANS.get(source);
    if (expected == null) {
      problems.add(entry.keyAt(), "'" + key + "' does not belong on the " + role.word + " side of a "
          + source.name().toLowerCase(Locale.ROOT) + " source: " + means);
    } else if (!expected.equalsIgnoreCase(value.trim().replaceAll("\\s+", " "))) {
      problems.add(entry.valueAt(), key + " '" + value + "' is not served: " + means
          + " (write " + key + ": \"" + expected + "\", or leave it out)");
    }
  }

  private static List<String> differences(String side, Parsed part, Parsed total) {
    List<String> out = new ArrayList<>();
    Selector a = part.selector();
    Selector b = total.selector();
    if (a.source() != b.source()) {
      out.add(side + " reads source " + a.source().name().toLowerCase(Locale.ROOT)
          + " where total reads " + b.source().name().toLowerCase(Locale.ROOT));
      return out;
    }
    Set<String> keys = new TreeSet<>(a.filters().keySet());
    keys.addAll(b.filters().keySet());
    for (String key : keys) {
      String x = a.filter(key);
      String y = b.filter(key);
      if (x != null && y != null && !x.equals(y)) {
        out.add(side + " has " + key + " '" + x + "' where total has '" + y + "'");
      } else if (x != null && y == null) {
        out.add(side + " filters on " + key + " '" + x + "', total does not");
      } else if (x == null && y != null) {
        out.add("total filters on " + key + " '" + y + "', " + side + " does not");
      }
    }
    return out;
  }

  private void objectives(SloDefinition slo, Indicator indicator, List<SloSpec> out) {
    List<Objective> objectives = slo.objectives();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < objectives.size(); i++) {
      Objective o = objectives.get(i);
      String name = i == 0 ? slo.name() : slo.name() + "/" + suffix(o, i);
      if (!names.add(name)) {
        problems.add(o.at(), "two objectives of SLO '" + slo.name() + "' would both be named '"
            + name + "'; give them distinct displayNames");
        continue;
      }
      Double latencyMs = null;
      if (indicator.latency()) {
        latencyMs = latencyThreshold(o);
        if (latencyMs == null) {
          continue;
        }
        Selector.Source src = indicator.selector().source();
        if ((src == Selector.Source.SPAN || src == Selector.Source.HISTOGRAM)
            && dev.tandem.engine.observation.LatencyCounts.boundIndex(latencyMs) < 0) {
          problems.add(o.valueAt(), "a span or histogram latency threshold must be one of the standard"
              + " bounds " + java.util.Arrays.toString(dev.tandem.engine.observation.LatencyCounts.BOUNDS_MS)
              + " ms (the collectors count latencies into those buckets), found " + o.value());
          continue;
        }
      } else if (!ratioObjectiveOk(o)) {
        continue;
      }
      Selector selector = indicator.selector().source() == Selector.Source.SLI
          ? new Selector(Selector.Source.SLI, Map.of(Selector.SLO, slo.name()))
          : indicator.selector();
      String title = slo.metadata().title();
      String displayName = objectives.size() == 1 ? title
          : title + ": " + (o.displayName() != null && !o.displayName().isBlank()
              ? o.displayName() : "objective " + (i + 1));
      BudgetingMethod method = slo.budgetingMethod();
      try {
        out.add(new SloSpec(name, displayName, slo.service(), slo.timeWindow().toSloWindow(), method,
            o.target(), method == BudgetingMethod.TIMESLICES ? o.timeSliceTarget() : null,
            method == BudgetingMethod.OCCURRENCES ? null : o.timeSliceWindow(), selector, latencyMs,
            o.at()));
      } catch (IllegalArgumentException e) {
        problems.add(o.at(), e.getMessage());
      }
    }
  }

  /** A later objective's name: its displayName as a label, or its position counting from 1. */
  private static String suffix(Objective o, int index) {
    String slug = o.displayName() == null ? ""
        : o.displayName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return slug.isEmpty() ? String.valueOf(index + 1) : slug;
  }

  private Double latencyThreshold(Objective o) {
    boolean ok = true;
    if (o.op() == null) {
      problems.add(o.at(), "a thresholdMetric objective needs op lt or lte and a 'value' in"
          + " milliseconds: an event is good when it is faster than value");
      return null;
    }
    if (!o.op().startsWith("lt")) {
      problems.add(o.opAt(), "op '" + o.op() + "' is not served for a latency objective: Tandem"
          + " counts an event good when it is faster than 'value' milliseconds (op lt or lte)");
      ok = false;
    }
    if (o.value() == null) {
      problems.add(o.at(), "a thresholdMetric objective needs 'value': the latency in milliseconds"
          + " that good events stay under");
      ok = false;
    } else if (o.value().signum() <= 0) {
      problems.add(o.valueAt(), "a latency threshold must be above 0 milliseconds, found " + o.value());
      ok = false;
    }
    return ok ? o.value().doubleValue() : null;
  }

  private boolean ratioObjectiveOk(Objective o) {
    boolean ok = true;
    if (o.value() != null) {
      problems.add(o.valueAt(), "'value' applies to thresholdMetric indicators only; this SLI is a"
          + " ratioMetric, whose objective is its target");
      ok = false;
    }
    if (o.op() != null && o.op().startsWith("lt")) {
      problems.add(o.opAt(), "op '" + o.op() + "' contradicts a ratio objective: the target is the"
          + " least good ratio allowed (use gt or gte, or leave op out)");
      ok = false;
    }
    return ok;
  }

  private Optional<String> text(SpecEntry entry, String key) {
    if (entry.value() instanceof String s && !s.isBlank()) {
      return Optional.of(s);
    }
    problems.add(entry.valueAt(), "'" + key + "' must be a single name, found "
        + (entry.value() == null ? "nothing" : entry.value() instanceof String ? "''" : "a " 
            + (entry.value() instanceof Map ? "mapping" : "list")));
    return Optional.empty();
  }
}
