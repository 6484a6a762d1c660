package dev.tandem.controller.traffic;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Moves a failover domain's traffic to one cloud: the only thing the controller asks of a DNS
 * record, a GSLB or a traffic manager. docs/failover-controller.md shows how to back it with
 * Route 53 (ARC routing controls), Azure Traffic Manager or an F5 GSLB.
 *
 * <p>An implementation must make the switch one atomic change of which cloud is active (never a
 * moment with none, never two), complete only once the change is accepted, and fail the stage
 * with a readable message otherwise; the controller retries on its next poll.
 */
public interface TrafficSwitch {
  /** Makes {@code cloud} the active cloud of {@code domain}. */
  CompletionStage<Void> activate(String domain, String cloud);

  /**
   * The cloud active now, if the backend can tell. The controller starts from it, and asks again
   * after a failed switch and periodically: when it differs from the controller's view (a switch
   * that landed late, or an operator's), the controller takes it.
   */
  default CompletionStage<Optional<String>> active(String domain) {
    return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
  }
}
