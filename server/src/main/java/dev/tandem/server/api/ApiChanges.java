package dev.tandem.server.api;

import dev.tandem.engine.budget.MaintenanceWindow;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.VerdictEngine;
import java.time.Clock;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The changes that people and failover controllers make through the API and that judging depends
 * on: the active cloud of a domain and maintenance windows. A node applies them at once and keeps
 * them (on disk, and in the observation log) so that a restart and a replay know them too.
 *
 * <p>Each method applies the change before it returns and completes its stage with {@code true}
 * once the change is on disk, {@code false} when the disk refused it for now (it is kept in memory
 * and written as soon as the disk takes writes again). Refusals are thrown before anything
 * changes: {@link IllegalArgumentException} for a bad request, {@link NoSuchElementException} for
 * an unknown window, {@link IllegalStateException} for a conflict (an id in use, a window from the
 * configuration file, the bound on windows).
 */
public interface ApiChanges {
  /** {@code by} of a change whose caller did not name itself. */
  String UNNAMED = "unknown";

  /**
   * The cloud serving a domain as this process knows it.
   *
   * @param since when it was reported (null: the configuration's {@code active}, never switched)
   * @param by who reported it (null with {@code since})
   */
  record Active(String domain, String cloud, java.time.Instant since, String by) {}

  /** The cloud serving {@code domain} now; empty for an unknown domain. */
  java.util.Optional<Active> active(String domain);

  /** A failover controller (or an operator) reports that {@code domain} is now served by {@code cloud}. */
  CompletionStage<Boolean> reportActive(String domain, String cloud, String by);

  CompletionStage<Boolean> addMaintenance(MaintenanceWindow window, String by);

  CompletionStage<Boolean> removeMaintenance(String id, String by);

  /** Changes applied to the engines and forgotten at stop: for tests and tools without a storage folder. */
  static ApiChanges inMemory(VerdictEngine engine, SloEngine slos, Clock clock) {
    return new ApiChanges() {
      @Override
      public java.util.Optional<Active> active(String domain) {
        return engine.domain(domain).map(d -> new Active(domain, engine.activeCloud(domain),
            engine.switchedAt(domain).orElse(null), engine.switchedAt(domain).isPresent() ? UNNAMED : null));
      }

      @Override
      public CompletionStage<Boolean> reportActive(String domain, String cloud, String by) {
        engine.reportActive(domain, cloud, clock.instant());
        return CompletableFuture.completedFuture(false);
      }

      @Override
      public CompletionStage<Boolean> addMaintenance(MaintenanceWindow window, String by) {
        if (slos.maintenance().stream().anyMatch(m -> m.id().equals(window.id()))) {
          throw new IllegalStateException("a maintenance window '" + window.id() + "' exists already");
        }
        slos.addMaintenance(window);
        return CompletableFuture.completedFuture(false);
      }

      @Override
      public CompletionStage<Boolean> removeMaintenance(String id, String by) {
        if (!slos.removeMaintenance(id)) {
          throw new NoSuchElementException("no maintenance window '" + id + "'");
        }
        return CompletableFuture.completedFuture(false);
      }
    };
  }
}
