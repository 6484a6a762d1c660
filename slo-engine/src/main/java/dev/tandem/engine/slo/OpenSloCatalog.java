package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SourceLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The OpenSLO v1 objects of a set of files, with references resolved across all of them, and their
 * compilation into the {@link SloSpec}s the engine computes.
 *
 * <p>{@link #read} reports what OpenSLO itself forbids: malformed YAML, unknown keys, missing or
 * ill-typed fields, duplicate names per kind, and references ({@code indicatorRef},
 * {@code alertPolicyRef}, {@code conditionRef}, {@code targetRef}) to objects that none of the files
 * define. {@link #compile} reports what is valid OpenSLO but not served by Tandem, such as metric
 * sources of another system. Every problem carries {@code FILE:LINE:COL}; nothing is thrown.
 */
public final class OpenSloCatalog {
  /** A top-level object by kind and name: the first definition wins, later ones are duplicates. */
  private final Map<String, Map<String, OpenSloReader.Named>> byKind = new LinkedHashMap<>();
  /** Every valid top-level object in reading order, duplicates included. */
  private final List<Object> all = new ArrayList<>();
  private Map<String, SloDefinition> slos;
  private Map<String, SliDefinition> slis;
  private Map<String, AlertPolicyDefinition> alertPolicies;
  private Map<String, AlertConditionDefinition> alertConditions;
  private Map<String, NotificationTargetDefinition> notificationTargets;
  private Map<String, ServiceDefinition> services;
  private Map<String, DataSourceDefinition> dataSources;

  private OpenSloCatalog() {}

  /** Reads every document of every file and resolves references between them. */
  public static OpenSloCatalog read(List<Path> files, Problems problems) {
    OpenSloReader reader = new OpenSloReader(problems);
    files.forEach(reader::readFile);
    OpenSloCatalog catalog = new OpenSloCatalog();
    for (OpenSloReader.Named doc : reader.documents()) {
      catalog.add(doc, problems);
    }
    for (OpenSloRef ref : reader.references()) {
      catalog.check(ref, problems);
    }
    catalog.slos = catalog.valid("SLO", SloDefinition.class);
    catalog.slis = catalog.valid("SLI", SliDefinition.class);
    catalog.alertPolicies = catalog.valid("AlertPolicy", AlertPolicyDefinition.class);
    catalog.alertConditions = catalog.valid("AlertCondition", AlertConditionDefinition.class);
    catalog.notificationTargets = catalog.valid("AlertNotificationTarget", NotificationTargetDefinition.class);
    catalog.services = catalog.valid("Service", ServiceDefinition.class);
    catalog.dataSources = catalog.valid("DataSource", DataSourceDefinition.class);
    return catalog;
  }

  private void add(OpenSloReader.Named doc, Problems problems) {
    if (doc.definition() != null) {
      all.add(doc.definition());
    }
    Map<String, OpenSloReader.Named> names = byKind.computeIfAbsent(doc.kind(), k -> new LinkedHashMap<>());
    OpenSloReader.Named first = names.putIfAbsent(doc.name(), doc);
    if (first != null) {
      problems.add(doc.nameAt(), "duplicate " + doc.kind() + " named '" + doc.name()
          + "' (first defined at " + first.nameAt() + ")");
    }
  }

  private void check(OpenSloRef ref, Problems problems) {
    Set<String> defined = names(ref.kind());
    if (!defined.contains(ref.name())) {
      problems.add(ref.at(), ref.owner() + ": " + ref.kind() + " '" + ref.name()
          + "' referenced at '" + ref.field() + "' does not exist in the files read"
          + (defined.isEmpty() ? "" : " (defined: " + String.join(", ", defined) + ")"));
    }
  }

  /** The names of the top-level objects of {@code kind} (e.g. {@code SLO}), in reading order. */
  public Set<String> names(String kind) {
    return Collections.unmodifiableSet(byKind.getOrDefault(kind, Map.of()).keySet());
  }

  /** Where the object of {@code kind} named {@code name} is defined (its first definition). */
  public Optional<SourceLocation> location(String kind, String name) {
    return Optional.ofNullable(byKind.getOrDefault(kind, Map.of()).get(name))
        .map(OpenSloReader.Named::nameAt);
  }

  /** The valid SLOs by name (first definition of each name); likewise for the other kinds. */
  public Map<String, SloDefinition> slos() {
    return slos;
  }

  public Map<String, SliDefinition> slis() {
    return slis;
  }

  public Map<String, AlertPolicyDefinition> alertPolicies() {
    return alertPolicies;
  }

  public Map<String, AlertConditionDefinition> alertConditions() {
    return alertConditions;
  }

  public Map<String, NotificationTargetDefinition> notificationTargets() {
    return notificationTargets;
  }

  public Map<String, ServiceDefinition> services() {
    return services;
  }

  public Map<String, DataSourceDefinition> dataSources() {
    return dataSources;
  }

  /** The SLO's indicator, written in place or referenced; empty when the reference dangles. */
  public Optional<SliDefinition> indicator(SloDefinition slo) {
    return resolve(slo.indicator(), slis());
  }

  /** The alert policies of the SLO named {@code sloName}, references followed. */
  public List<SloAlertPolicy> alertPolicies(String sloName) {
    SloDefinition slo = slos().get(sloName);
    if (slo == null) {
      return List.of();
    }
    List<SloAlertPolicy> out = new ArrayList<>();
    Map<String, AlertConditionDefinition> conditions = alertConditions();
    Map<String, NotificationTargetDefinition> targets = notificationTargets();
    for (OpenSloLink<AlertPolicyDefinition> link : slo.alertPolicies()) {
      resolve(link, alertPolicies()).ifPresent(policy -> {
        List<AlertConditionDefinition> cs = new ArrayList<>();
        policy.conditions().forEach(c -> resolve(c, conditions).ifPresent(cs::add));
        List<NotificationTargetDefinition> ts = new ArrayList<>();
        policy.notificationTargets().forEach(t -> resolve(t, targets).ifPresent(ts::add));
        out.add(new SloAlertPolicy(policy, cs, ts));
      });
    }
    return List.copyOf(out);
  }

  /**
   * Compiles each objective of each SLO into a {@link SloSpec}; what Tandem does not serve is
   * reported to {@code problems} and left out. The first objective keeps the SLO's name; later
   * ones are named {@code name/display-name} (or {@code name/position}, counting from 1).
   */
  public List<SloSpec> compile(Problems problems) {
    return new SloCompiler(this, problems).compile();
  }

  /** Every valid top-level object of {@code type} in reading order, duplicates included. */
  <T> List<T> everyDefinition(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Object o : all) {
      if (type.isInstance(o)) {
        out.add(type.cast(o));
      }
    }
    return out;
  }

  private <T> Map<String, T> valid(String kind, Class<T> type) {
    Map<String, T> out = new LinkedHashMap<>();
    byKind.getOrDefault(kind, Map.of()).forEach((name, doc) -> {
      if (type.isInstance(doc.definition())) {
        out.put(name, type.cast(doc.definition()));
      }
    });
    return Collections.unmodifiableMap(out);
  }

  private static <T> Optional<T> resolve(OpenSloLink<T> link, Map<String, T> defined) {
    return link.isRef() ? Optional.ofNullable(defined.get(link.ref().name()))
        : Optional.of(link.inline());
  }
}
