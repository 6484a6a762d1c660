package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.Problems;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The names of the OpenSLO v1 objects of a set of files, by kind: what a config's references to
 * SLOs are checked against. A thin view of {@link OpenSloCatalog}, which holds the full model;
 * kept so that callers that need only names stay simple.
 */
public final class OpenSloIndex {
  public static final String API_VERSION = "openslo/v1";
  public static final Set<String> KINDS = Set.of("SLO", "SLI", "AlertPolicy", "AlertCondition",
      "AlertNotificationTarget", "DataSource", "Service");

  private final OpenSloCatalog catalog;

  private OpenSloIndex(OpenSloCatalog catalog) {
    this.catalog = catalog;
  }

  /** Reads every document of every file (see {@link OpenSloCatalog#read}); problems are recorded, never thrown. */
  public static OpenSloIndex read(List<Path> files, Problems problems) {
    return new OpenSloIndex(OpenSloCatalog.read(files, problems));
  }

  public Set<String> names(String kind) {
    return catalog.names(kind);
  }

  /** The full model behind this index. */
  public OpenSloCatalog catalog() {
    return catalog;
  }
}
