package dev.tandem.collectors;

/** The OTLP signals Tandem serves, by their OTLP/HTTP path. Logs are not among them. */
enum Signal {
  TRACES("/v1/traces"),
  METRICS("/v1/metrics");

  static final String LOGS_PATH = "/v1/logs";

  final String path;

  Signal(String path) {
    this.path = path;
  }

  static Signal forPath(String path) {
    for (Signal signal : values()) {
      if (signal.path.equals(path)) {
        return signal;
      }
    }
    return null;
  }
}
