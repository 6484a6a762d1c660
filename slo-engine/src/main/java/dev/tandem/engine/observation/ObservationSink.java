package dev.tandem.engine.observation;

/**
 * Where producers (collectors, probes, replay) hand observations to. Implementations must be
 * thread-safe, must not block the caller for long and must never throw: a full sink counts and
 * drops, it does not push back into an event loop.
 */
@FunctionalInterface
public interface ObservationSink {
  void accept(Observation observation);
}
