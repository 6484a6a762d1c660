package dev.tandem.engine.judge;

import java.util.List;

/**
 * What the SLO engine says about a cloud, as the classifier needs it: which of a domain's SLOs
 * burn their budget at a paging tier there. A port, so that the classifier does not depend on how
 * budgets are computed.
 */
@FunctionalInterface
public interface SloSignals {
  SloSignals NONE = (cloud, slos) -> List.of();

  /** The SLOs among {@code slos} with a page tier firing in {@code cloud}. */
  List<String> pageTierFiring(String cloud, List<String> slos);
}
