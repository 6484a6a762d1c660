package dev.tandem.engine.slo;

import dev.tandem.engine.slo.SloDefinition.Objective;
import dev.tandem.engine.slo.SloDefinition.TimeWindow;
import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SourceLocation;
import dev.tandem.engine.yaml.ValueResolver;
import dev.tandem.engine.yaml.YamlFile;
import dev.tandem.engine.yaml.YamlMap;
import dev.tandem.engine.yaml.YamlNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads OpenSLO v1 YAML into definitions. A file may hold one document, several {@code ---}
 * separated ones, or a top-level list of them. Every problem is recorded with its location; an
 * object with a problem is left out (its name is still known, so that references to it and
 * duplicates of it are judged correctly). References are collected, not resolved: the catalog
 * resolves them once every file is read.
 */
final class OpenSloReader {
  /** A top-level document: its kind and name, and its definition when it is valid (else null). */
  record Named(String kind, String name, SourceLocation nameAt, Object definition) {}

  private static final Set<String> OPS = Set.of("lt", "lte", "gt", "gte");
  private static final Pattern LABEL_KEY = Pattern.compile("[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?");
  private static final Pattern ANNOTATION_KEY = Pattern.compile(
      "([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*/)?"
          + "[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?");
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
  private static final Map<String, BudgetingMethod> METHODS = Map.of(
      "Occurrences", BudgetingMethod.OCCURRENCES,
      "Timeslices", BudgetingMethod.TIMESLICES,
      "RatioTimeslices", BudgetingMethod.RATIO_TIMESLICES);

  /** Reads an inline object's spec once its metadata is known. */
  @FunctionalInterface
  private interface SpecReader<T> {
    Optional<T> read(OpenSloMetadata metadata, YamlMap spec, String owner, String prefix);
  }

  private final Problems problems;
  private final List<Named> documents = new ArrayList<>();
  private final List<OpenSloRef> references = new ArrayList<>();

  OpenSloReader(Problems problems) {
    this.problems = problems;
  }

  List<Named> documents() {
    return documents;
  }

  List<OpenSloRef> references() {
    return references;
  }

  void readFile(Path file) {
    for (YamlNode doc : YamlFile.readAll(file, problems, ValueResolver.NONE)) {
      if (doc.isSequence()) {
        List<YamlNode> items = doc.asList("a list of OpenSLO documents");
        if (items.isEmpty()) {
          doc.problem("the list holds no OpenSLO document");
        }
        items.forEach(this::readDocument);
      } else {
        readDocument(doc);
      }
    }
  }

  private void readDocument(YamlNode node) {
    YamlMap doc = node.asMap("an OpenSLO document");
    if (!node.isMapping()) {
      return;
    }
    Optional<YamlNode> versionNode = doc.require("apiVersion");
    Optional<String> version = versionNode.flatMap(n -> n.asString("'apiVersion'"));
    if (version.isPresent() && !OpenSloIndex.API_VERSION.equals(version.get())) {
      versionNode.get().problem("apiVersion must be '" + OpenSloIndex.API_VERSION + "', found '"
          + version.get() + "' (Tandem reads OpenSLO v1)");
      return;
    }
    Optional<YamlNode> kindNode = doc.require("kind");
    Optional<String> kind = kindNode.flatMap(n -> n.asString("'kind'"));
    if (kind.isPresent() && !OpenSloIndex.KINDS.contains(kind.get())) {
      kindNode.get().problem("unknown OpenSLO kind '" + kind.get() + "' (expected one of "
          + String.join(", ", new java.util.TreeSet<>(OpenSloIndex.KINDS)) + ")");
      return;
    }
    if (version.isEmpty() || kind.isEmpty()) {
      return;
    }
    OpenSloMetadata md = metadata(doc);
    String owner = kind.get() + " '" + (md == null ? "?" : md.name()) + "'";
    Optional<YamlMap> spec = mapping(doc, "spec", true);
    Object definition = null;
    if (spec.isPresent()) {
      YamlMap s = spec.get();
      switch (kind.get()) {
        case "SLO":
          definition = slo(md, s, owner).orElse(null);
          break;
        case "SLI":
          definition = sli(md, s).orElse(null);
          break;
        case "AlertPolicy":
          definition = alertPolicy(md, s, owner, "spec.").orElse(null);
          break;
        case "AlertCondition":
          definition = alertCondition(md, s, owner, "spec.").orElse(null);
          break;
        case "AlertNotificationTarget":
          definition = notificationTarget(md, s, owner, "spec.").orElse(null);
          break;
        case "Service":
          definition = service(md, s).orElse(null);
          break;
        default:
          definition = dataSource(md, s).orElse(null);
          break;
      }
    }
    doc.rejectUnknown();
    if (md != null) {
      documents.add(new Named(kind.get(), md.name(), md.at(), definition));
    }
  }

  // ---- metadata

  /** The object's metadata, or null (with a problem) when it has no valid name. */
  private OpenSloMetadata metadata(YamlMap parent) {
    Optional<YamlMap> md = mapping(parent, "metadata", true);
    if (md.isEmpty()) {
      return null;
    }
    YamlMap m = md.get();
    Optional<YamlNode> nameNode = m.require("name");
    String name = nameNode.flatMap(n -> n.asString("'name'")).orElse(null);
    if (name != null && !OpenSloMetadata.isName(name)) {
      nameNode.get().problem("name '" + name + "' must be an RFC 1123 label: at most 63 lowercase"
          + " letters, digits and '-', starting and ending with a letter or digit");
      name = null;
    }
    String displayName = m.string("displayName").orElse(null);
    Map<String, List<String>> labels = new LinkedHashMap<>();
    mapping(m, "labels", false).ifPresent(l -> {
      for (String key : List.copyOf(l.keys())) {
        if (!LABEL_KEY.matcher(key).matches()) {
          problems.add(l.keyLocation(key), "label key '" + key + "' must be at most 63 letters,"
              + " digits, '-', '_' or '.', starting and ending with a letter or digit");
        }
        Optional<YamlNode> value = l.get(key);
        List<String> values = value.isEmpty() ? List.of()
            : value.get().isSequence() ? l.strings(key)
            : value.get().asString("label '" + key + "'").map(List::of).orElse(List.of());
        labels.put(key, values);
      }
    });
    Map<String, String> annotations = new LinkedHashMap<>();
    mapping(m, "annotations", false).ifPresent(a -> {
      for (String key : List.copyOf(a.keys())) {
        if (!ANNOTATION_KEY.matcher(key).matches()) {
          problems.add(a.keyLocation(key), "annotation key '" + key + "' must be a name of at most"
              + " 63 characters, optionally after a DNS prefix and '/' (e.g. openslo.com/note)");
        }
        annotations.put(key, a.string(key).orElse(""));
      }
    });
    m.rejectUnknown();
    if (name == null) {
      return null;
    }
    SourceLocation at = nameNode.get().location();
    return new OpenSloMetadata(name, displayName, labels, annotations, at);
  }

  // ---- SLO

  private Optional<SloDefinition> slo(OpenSloMetadata md, YamlMap spec, String owner) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    String service = spec.requireString("service").orElse(null);
    BudgetingMethod method = budgetingMethod(spec);
    TimeWindow window = timeWindow(spec);
    List<Objective> objectives = objectives(spec, method, window);
    OpenSloLink<SliDefinition> indicator = indicatorLink(spec, owner);
    List<OpenSloLink<AlertPolicyDefinition>> policies = new ArrayList<>();
    List<YamlNode> items = spec.list("alertPolicies");
    for (int i = 0; i < items.size(); i++) {
      link(items.get(i), "alertPolicyRef", "AlertPolicy", owner, "spec.alertPolicies[" + i + "]",
          this::alertPolicy).ifPresent(policies::add);
    }
    spec.rejectUnknown();
    return build(spec.node(), before, md, () -> new SloDefinition(md, description, service, indicator,
        window, method, objectives, policies, md.at()));
  }

  private OpenSloLink<SliDefinition> indicatorLink(YamlMap spec, String owner) {
    Optional<YamlNode> inline = spec.get("indicator");
    Optional<YamlNode> ref = spec.get("indicatorRef");
    if (inline.isPresent() && ref.isPresent()) {
      problems.add(spec.keyLocation("indicatorRef"),
          "give either 'indicator' or 'indicatorRef', not both");
      return null;
    }
    if (ref.isPresent()) {
      return ref.get().asString("'indicatorRef'").map(name -> {
        OpenSloRef r = new OpenSloRef("SLI", name, "spec.indicatorRef", owner, ref.get().location());
        references.add(r);
        return OpenSloLink.<SliDefinition>to(r);
      }).orElse(null);
    }
    if (inline.isEmpty()) {
      spec.node().problem("an SLO needs 'indicator' (an SLI written in place) or 'indicatorRef'"
          + " (the name of an SLI)");
      return null;
    }
    YamlMap m = inline.get().asMap("'indicator'");
    if (!inline.get().isMapping()) {
      return null;
    }
    OpenSloMetadata md = metadata(m);
    Optional<SliDefinition> sli = mapping(m, "spec", true).flatMap(s -> sli(md, s));
    m.rejectUnknown();
    return sli.map(OpenSloLink::of).orElse(null);
  }

  private BudgetingMethod budgetingMethod(YamlMap spec) {
    Optional<YamlNode> node = spec.require("budgetingMethod");
    Optional<String> text = node.flatMap(n -> n.asString("'budgetingMethod'"));
    if (text.isEmpty()) {
      return null;
    }
    BudgetingMethod method = METHODS.get(text.get());
    if (method == null) {
      node.get().problem("budgetingMethod must be Occurrences, Timeslices or RatioTimeslices,"
          + " found '" + text.get() + "'");
    }
    return method;
  }

  private TimeWindow timeWindow(YamlMap spec) {
    Optional<YamlNode> node = spec.require("timeWindow");
    if (node.isEmpty()) {
      return null;
    }
    List<YamlNode> windows = node.get().asList("'timeWindow'");
    if (windows.size() != 1) {
      if (node.get().isSequence()) {
        node.get().problem("timeWindow must hold exactly one window, found " + windows.size());
      }
      return null;
    }
    YamlNode item = windows.get(0);
    YamlMap w = item.asMap("a time window");
    if (!item.isMapping()) {
      return null;
    }
    OpenSloDuration duration = duration(w, "duration", true);
    Optional<Boolean> isRolling = w.get("isRolling").flatMap(n -> n.asBoolean("'isRolling'"));
    Optional<YamlMap> calendar = mapping(w, "calendar", false);
    boolean rolling = isRolling.orElse(false);
    LocalDateTime start = null;
    ZoneId zone = null;
    boolean ok = true;
    if (rolling && calendar.isPresent()) {
      problems.add(w.keyLocation("calendar"), "'calendar' cannot be set when 'isRolling' is true");
      ok = false;
    } else if (!rolling && calendar.isEmpty() && !w.has("calendar")) {
      item.problem(isRolling.isPresent() && w.has("isRolling")
          ? "'calendar' must be set when 'isRolling' is false"
          : "a time window needs 'isRolling: true' (rolling) or a 'calendar' (calendar-aligned)");
      ok = false;
    } else if (calendar.isPresent()) {
      YamlMap c = calendar.get();
      Optional<YamlNode> startNode = c.require("startTime");
      Optional<String> startText = startNode.flatMap(n -> n.asString("'startTime'"));
      if (startText.isPresent()) {
        try {
          start = LocalDateTime.parse(startText.get().trim(), START_TIME);
        } catch (DateTimeParseException e) {
          startNode.get().problem("startTime must be 'YYYY-MM-DD hh:mm:ss' (24-hour clock, no time"
              + " zone), found '" + startText.get() + "'");
        }
      }
      Optional<YamlNode> zoneNode = c.require("timeZone");
      Optional<String> zoneText = zoneNode.flatMap(n -> n.asString("'timeZone'"));
      if (zoneText.isPresent()) {
        try {
          zone = ZoneId.of(zoneText.get().trim());
        } catch (DateTimeException e) {
          zoneNode.get().problem("timeZone must be an IANA time zone name such as"
              + " America/New_York, found '" + zoneText.get() + "'");
        }
      }
      c.rejectUnknown();
      if (duration != null && !duration.isCalendar()) {
        w.get("duration").get().problem("a calendar window lasts days, weeks, months, quarters or"
            + " years, not '" + duration + "' (for hours, use a rolling window: isRolling: true)");
        ok = false;
      }
    }
    w.rejectUnknown();
    if (!ok || duration == null || (!rolling && (start == null || zone == null))) {
      return null;
    }
    return new TimeWindow(duration, rolling, start, zone, item.location());
  }

  private List<Objective> objectives(YamlMap spec, BudgetingMethod method, TimeWindow window) {
    Optional<YamlNode> node = spec.require("objectives");
    List<Objective> out = new ArrayList<>();
    if (node.isEmpty()) {
      return out;
    }
    List<YamlNode> items = node.get().asList("'objectives'");
    if (items.isEmpty() && node.get().isSequence()) {
      node.get().problem("objectives must hold at least one objective");
    }
    for (YamlNode item : items) {
      YamlMap o = item.asMap("an objective");
      if (item.isMapping()) {
        objective(o, method, window).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<Objective> objective(YamlMap o, BudgetingMethod method, TimeWindow window) {
    int before = problems.size();
    String displayName = o.string("displayName").orElse(null);
    Optional<YamlNode> opNode = o.get("op");
    String op = opNode.flatMap(n -> n.asString("'op'")).orElse(null);
    if (op != null && !OPS.contains(op)) {
      opNode.get().problem("op must be lt, lte, gt or gte, found '" + op + "'");
    }
    BigDecimal value = decimal(o, "value").orElse(null);
    BigDecimal target = decimal(o, "target").orElse(null);
    BigDecimal percent = decimal(o, "targetPercent").orElse(null);
    if (o.has("target") && o.has("targetPercent")) {
      problems.add(o.keyLocation("targetPercent"),
          "give either 'target' or 'targetPercent', not both");
    } else if (target != null) {
      if (target.signum() <= 0 || target.compareTo(BigDecimal.ONE) >= 0) {
        o.get("target").get().problem("target must be above 0 and below 1, found " + target);
      }
    } else if (percent != null) {
      if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) >= 0) {
        o.get("targetPercent").get().problem("targetPercent must be above 0 and below 100, found "
            + percent);
      }
      target = percent.movePointLeft(2);
    } else if (!o.has("target") && !o.has("targetPercent")) {
      o.node().problem("an objective needs 'target' (e.g. 0.999) or 'targetPercent' (e.g. 99.9)");
    }
    BigDecimal sliceTarget = decimal(o, "timeSliceTarget").orElse(null);
    if (sliceTarget != null && (sliceTarget.signum() <= 0 || sliceTarget.compareTo(BigDecimal.ONE) > 0)) {
      o.get("timeSliceTarget").get().problem("timeSliceTarget must be above 0 and at most 1, found "
          + sliceTarget);
    }
    if (method == BudgetingMethod.TIMESLICES && !o.has("timeSliceTarget")) {
      o.node().problem("an objective of budgetingMethod Timeslices needs 'timeSliceTarget' (the"
          + " ratio a time slice needs to count as good)");
    }
    Duration slice = sliceWindow(o);
    if (method != null && method != BudgetingMethod.OCCURRENCES && !o.has("timeSliceWindow")) {
      o.node().problem("an objective of budgetingMethod " + (method == BudgetingMethod.TIMESLICES
          ? "Timeslices" : "RatioTimeslices") + " needs 'timeSliceWindow' (e.g. 1m)");
    }
    if (slice != null && window != null && slice.compareTo(window.toSloWindow().duration()) >= 0) {
      o.get("timeSliceWindow").get().problem("timeSliceWindow must be shorter than the SLO's time"
          + " window (" + window.duration() + ")");
    }
    for (String composite : List.of("indicator", "indicatorRef", "compositeWeight")) {
      if (o.has(composite)) {
        problems.add(o.keyLocation(composite), "'" + composite + "' in an objective makes a"
            + " composite SLO, which Tandem does not serve: give the SLO one 'indicator' or"
            + " 'indicatorRef' in its spec");
      }
    }
    o.rejectUnknown();
    BigDecimal finalTarget = target;
    return build(o.node(), before, () -> new Objective(displayName, op, value, finalTarget,
        sliceTarget, slice, o.node().location(), opNode.map(YamlNode::location).orElse(null),
        o.get("value").map(YamlNode::location).orElse(null)));
  }

  /** A time slice: a duration shorthand, or a plain number of minutes as OpenSLO allows. */
  private Duration sliceWindow(YamlMap o) {
    Optional<YamlNode> node = o.get("timeSliceWindow");
    Optional<String> text = node.flatMap(n -> n.asString("'timeSliceWindow'"));
    if (text.isEmpty()) {
      return null;
    }
    if (text.get().trim().matches("[0-9]{1,9}") && Long.parseLong(text.get().trim()) > 0) {
      return Duration.ofMinutes(Long.parseLong(text.get().trim()));
    }
    Optional<OpenSloDuration> d = OpenSloDuration.parse(text.get());
    if (d.isEmpty()) {
      node.get().problem("timeSliceWindow must be " + OpenSloDuration.FORM + ", or a number of"
          + " minutes, found '" + text.get() + "'");
      return null;
    }
    return d.get().toDuration();
  }

  // ---- SLI

  private Optional<SliDefinition> sli(OpenSloMetadata md, YamlMap spec) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    Optional<YamlNode> ratioNode = spec.get("ratioMetric");
    Optional<YamlNode> thresholdNode = spec.get("thresholdMetric");
    SliDefinition.RatioMetric ratio = null;
    MetricSource threshold = null;
    if (ratioNode.isPresent() && thresholdNode.isPresent()) {
      problems.add(spec.keyLocation("thresholdMetric"),
          "give either 'ratioMetric' or 'thresholdMetric', not both");
    } else if (ratioNode.isPresent()) {
      ratio = ratioMetric(ratioNode.get());
    } else if (thresholdNode.isPresent()) {
      threshold = metricSpec(thresholdNode.get(), "'thresholdMetric'");
    } else {
      spec.node().problem("an SLI needs 'ratioMetric' (good or bad over total) or"
          + " 'thresholdMetric'");
    }
    spec.rejectUnknown();
    SliDefinition.RatioMetric finalRatio = ratio;
    MetricSource finalThreshold = threshold;
    return build(spec.node(), before, md, () -> new SliDefinition(md, description, finalRatio,
        finalThreshold, spec.node().location()));
  }

  private SliDefinition.RatioMetric ratioMetric(YamlNode node) {
    YamlMap r = node.asMap("'ratioMetric'");
    if (!node.isMapping()) {
      return null;
    }
    boolean counter = r.bool("counter", false);
    MetricSource good = r.get("good").map(n -> metricSpec(n, "'good'")).orElse(null);
    MetricSource bad = r.get("bad").map(n -> metricSpec(n, "'bad'")).orElse(null);
    MetricSource total = r.get("total").map(n -> metricSpec(n, "'total'")).orElse(null);
    MetricSource raw = r.get("raw").map(n -> metricSpec(n, "'raw'")).orElse(null);
    Optional<YamlNode> rawTypeNode = r.get("rawType");
    SliDefinition.RawType rawType = rawTypeNode.flatMap(n -> n.asString("'rawType'")).map(t -> {
      switch (t) {
        case "success":
          return SliDefinition.RawType.SUCCESS;
        case "failure":
          return SliDefinition.RawType.FAILURE;
        default:
          rawTypeNode.get().problem("rawType must be success or failure, found '" + t + "'");
          return null;
      }
    }).orElse(null);
    if (r.has("raw")) {
      if (r.has("good") || r.has("bad") || r.has("total")) {
        problems.add(r.keyLocation("raw"), "give either 'raw' (a ratio with 'rawType') or 'good'"
            + " or 'bad' over 'total', not both");
      }
      if (!r.has("rawType")) {
        problems.add(r.keyLocation("raw"), "'raw' needs 'rawType': success (good/total) or"
            + " failure (bad/total)");
      }
    } else {
      if (r.has("rawType")) {
        problems.add(r.keyLocation("rawType"), "'rawType' goes only with 'raw'");
      }
      if (r.has("good") && r.has("bad")) {
        problems.add(r.keyLocation("bad"), "give either 'good' or 'bad', not both");
      } else if (!r.has("good") && !r.has("bad")) {
        node.problem("a ratioMetric needs 'good' or 'bad' over 'total' (or a 'raw' ratio)");
      }
      if (!r.has("total")) {
        node.problem("a ratioMetric needs 'total'");
      }
    }
    r.rejectUnknown();
    try {
      return new SliDefinition.RatioMetric(counter, good, bad, total, rawType, raw,
          r.has("raw") ? r.keyLocation("raw") : null);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null; // each way to get here has been reported above
    }
  }

  /** {@code {metricSource: {metricSourceRef, type, spec}}}, or null with a problem. */
  private MetricSource metricSpec(YamlNode node, String what) {
    YamlMap m = node.asMap(what);
    if (!node.isMapping()) {
      return null;
    }
    Optional<YamlMap> source = mapping(m, "metricSource", true);
    m.rejectUnknown();
    if (source.isEmpty()) {
      return null;
    }
    YamlMap s = source.get();
    int before = problems.size();
    Optional<YamlNode> refNode = s.get("metricSourceRef");
    String ref = refNode.flatMap(n -> n.asString("'metricSourceRef'")).orElse(null);
    Optional<YamlNode> typeNode = s.get("type");
    String type = typeNode.flatMap(n -> n.asString("'type'")).orElse(null);
    if (!s.has("type") && !s.has("metricSourceRef")) {
      s.node().problem("a metricSource needs a 'type' (e.g. tandem) or a 'metricSourceRef' naming"
          + " a DataSource");
    }
    Map<String, MetricSource.SpecEntry> entries = new LinkedHashMap<>();
    Optional<YamlMap> spec = mapping(s, "spec", true);
    spec.ifPresent(sp -> {
      for (String key : List.copyOf(sp.keys())) {
        Optional<YamlNode> value = sp.get(key);
        entries.put(key, new MetricSource.SpecEntry(value.map(OpenSloReader::plain).orElse(null),
            sp.keyLocation(key), value.map(YamlNode::location).orElse(sp.keyLocation(key))));
      }
      if (entries.isEmpty()) {
        sp.node().problem("a metricSource's 'spec' must hold at least one key");
      }
    });
    s.rejectUnknown();
    SourceLocation typeAt = typeNode.or(() -> refNode).map(YamlNode::location).orElse(s.node().location());
    return build(s.node(), before, () -> new MetricSource(ref, type, typeAt, entries,
        spec.get().node().location(), s.node().location())).orElse(null);
  }

  // ---- alerting

  private Optional<AlertPolicyDefinition> alertPolicy(OpenSloMetadata md, YamlMap spec,
      String owner, String prefix) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    boolean noData = spec.bool("alertWhenNoData", false);
    boolean breaching = spec.bool("alertWhenBreaching", false);
    boolean resolved = spec.bool("alertWhenResolved", false);
    List<OpenSloLink<AlertConditionDefinition>> conditions = new ArrayList<>();
    Optional<YamlNode> conditionsNode = spec.require("conditions");
    List<YamlNode> items = conditionsNode.map(n -> n.asList("'conditions'")).orElse(List.of());
    if (conditionsNode.isPresent() && conditionsNode.get().isSequence() && items.size() != 1) {
      conditionsNode.get().problem("an AlertPolicy has exactly one condition, found " + items.size());
    }
    for (int i = 0; i < items.size(); i++) {
      link(items.get(i), "conditionRef", "AlertCondition", owner, prefix + "conditions[" + i + "]",
          this::alertCondition).ifPresent(conditions::add);
    }
    List<OpenSloLink<NotificationTargetDefinition>> targets = new ArrayList<>();
    Optional<YamlNode> targetsNode = spec.require("notificationTargets");
    items = targetsNode.map(n -> n.asList("'notificationTargets'")).orElse(List.of());
    if (targetsNode.isPresent() && targetsNode.get().isSequence() && items.isEmpty()) {
      targetsNode.get().problem("an AlertPolicy needs at least one notification target");
    }
    for (int i = 0; i < items.size(); i++) {
      link(items.get(i), "targetRef", "AlertNotificationTarget", owner,
          prefix + "notificationTargets[" + i + "]", this::notificationTarget).ifPresent(targets::add);
    }
    spec.rejectUnknown();
    return build(spec.node(), before, md, () -> new AlertPolicyDefinition(md, description, noData,
        breaching, resolved, conditions, targets, md.at()));
  }

  private Optional<AlertConditionDefinition> alertCondition(OpenSloMetadata md, YamlMap spec,
      String owner, String prefix) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    String severity = spec.requireString("severity").orElse(null);
    Optional<YamlMap> condition = mapping(spec, "condition", true);
    String op = null;
    BigDecimal threshold = null;
    OpenSloDuration lookback = null;
    OpenSloDuration after = null;
    if (condition.isPresent()) {
      YamlMap c = condition.get();
      Optional<YamlNode> kindNode = c.require("kind");
      kindNode.flatMap(n -> n.asString("'kind'")).ifPresent(k -> {
        if (!AlertConditionDefinition.BURN_RATE.equals(k)) {
          kindNode.get().problem("condition kind must be burnrate (the only kind OpenSLO v1"
              + " defines), found '" + k + "'");
        }
      });
      Optional<YamlNode> opNode = c.require("op");
      op = opNode.flatMap(n -> n.asString("'op'")).orElse(null);
      if (op != null && !OPS.contains(op)) {
        opNode.get().problem("op must be lt, lte, gt or gte, found '" + op + "'");
      }
      if (c.require("threshold").isPresent()) {
        threshold = decimal(c, "threshold").orElse(null);
      }
      lookback = duration(c, "lookbackWindow", true);
      after = duration(c, "alertAfter", false);
      c.rejectUnknown();
    }
    spec.rejectUnknown();
    String finalOp = op;
    BigDecimal finalThreshold = threshold;
    OpenSloDuration finalLookback = lookback;
    OpenSloDuration finalAfter = after;
    return build(spec.node(), before, md, () -> new AlertConditionDefinition(md, description, severity,
        finalOp, finalThreshold, finalLookback, finalAfter, md.at()));
  }

  private Optional<NotificationTargetDefinition> notificationTarget(OpenSloMetadata md,
      YamlMap spec, String owner, String prefix) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    String target = spec.requireString("target").orElse(null);
    spec.rejectUnknown();
    return build(spec.node(), before, md,
        () -> new NotificationTargetDefinition(md, description, target, md.at()));
  }

  private Optional<ServiceDefinition> service(OpenSloMetadata md, YamlMap spec) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    spec.rejectUnknown();
    return build(spec.node(), before, md, () -> new ServiceDefinition(md, description, md.at()));
  }

  private Optional<DataSourceDefinition> dataSource(OpenSloMetadata md, YamlMap spec) {
    int before = problems.size();
    String description = spec.string("description").orElse(null);
    String type = spec.requireString("type").orElse(null);
    Object details = spec.require("connectionDetails").map(YamlNode::toPlain).orElse(null);
    spec.rejectUnknown();
    return build(spec.node(), before, md,
        () -> new DataSourceDefinition(md, description, type, details, md.at()));
  }

  /**
   * An item that is either {@code {refKey: name}} or an inline object {@code {kind, metadata,
   * spec}} of {@code kind}. References are recorded for the catalog to resolve.
   */
  private <T> Optional<OpenSloLink<T>> link(YamlNode item, String refKey, String kind,
      String owner, String field, SpecReader<T> reader) {
    YamlMap m = item.asMap("an item of " + field.replaceAll("\\[[0-9]+]$", ""));
    if (!item.isMapping()) {
      return Optional.empty();
    }
    if (m.keys().contains(refKey)) {
      if (m.keys().size() > 1) {
        item.problem("give either '" + refKey + "' or an inline " + kind
            + " (kind, metadata, spec), not both");
        return Optional.empty();
      }
      Optional<YamlNode> refNode = m.require(refKey);
      return refNode.flatMap(n -> n.asString("'" + refKey + "'")).map(name -> {
        OpenSloRef ref = new OpenSloRef(kind, name, field + "." + refKey, owner,
            refNode.get().location());
        references.add(ref);
        return OpenSloLink.to(ref);
      });
    }
    int before = problems.size();
    Optional<YamlNode> kindNode = m.get("kind");
    Optional<String> written = kindNode.flatMap(n -> n.asString("'kind'"));
    if (kindNode.isEmpty()) {
      item.problem("give '" + refKey + "' (the name of an " + kind + ") or an inline " + kind
          + " with kind, metadata and spec");
    } else if (written.isPresent() && !kind.equals(written.get())) {
      kindNode.get().problem("expected kind " + kind + " here, found '" + written.get() + "'");
    }
    OpenSloMetadata md = metadata(m);
    Optional<T> inline = mapping(m, "spec", true).flatMap(s -> reader.read(md, s, owner, field + ".spec."));
    m.rejectUnknown();
    return problems.size() > before ? Optional.empty() : inline.map(OpenSloLink::of);
  }

  // ---- values

  private static Optional<YamlMap> mapping(YamlMap parent, String key, boolean required) {
    Optional<YamlNode> node = required ? parent.require(key) : parent.get(key);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    YamlMap m = node.get().asMap("'" + key + "'");
    return node.get().isMapping() ? Optional.of(m) : Optional.empty();
  }

  /** A number exactly as written (0.999 stays 0.999), or empty with a problem. */
  private static Optional<BigDecimal> decimal(YamlMap m, String key) {
    Optional<YamlNode> node = m.get(key);
    return node.flatMap(n -> n.asString("'" + key + "'")).flatMap(text -> {
      try {
        return Optional.of(new BigDecimal(text.trim()));
      } catch (NumberFormatException e) {
        node.get().problem("'" + key + "' must be a number, found '" + text + "'");
        return Optional.empty();
      }
    });
  }

  private static OpenSloDuration duration(YamlMap m, String key, boolean required) {
    Optional<YamlNode> node = required ? m.require(key) : m.get(key);
    Optional<String> text = node.flatMap(n -> n.asString("'" + key + "'"));
    if (text.isEmpty()) {
      return null;
    }
    Optional<OpenSloDuration> d = OpenSloDuration.parse(text.get());
    if (d.isEmpty()) {
      node.get().problem("'" + key + "' must be " + OpenSloDuration.FORM + ", found '" + text.get() + "'");
    }
    return d.orElse(null);
  }

  /** Scalars as written (no number conversion); collections as a plain tree. */
  private static Object plain(YamlNode node) {
    return node.isScalar() ? node.rawString().orElse(null) : node.toPlain();
  }

  /** Builds an object when it has a name and nothing went wrong since {@code before}. */
  private <T> Optional<T> build(YamlNode at, int before, OpenSloMetadata md, Supplier<T> make) {
    return md == null ? Optional.empty() : build(at, before, make);
  }

  /** Builds a definition when nothing went wrong since {@code before}; never throws. */
  private <T> Optional<T> build(YamlNode at, int before, Supplier<T> make) {
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(make.get());
    } catch (IllegalArgumentException | NullPointerException e) {
      // A gap between the reader's checks and the record's; say so rather than crash.
      at.problem("invalid OpenSLO object: " + e.getMessage());
      return Optional.empty();
    }
  }
}
