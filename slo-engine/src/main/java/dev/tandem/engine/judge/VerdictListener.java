package dev.tandem.engine.judge;

import dev.tandem.engine.verdict.Verdict;

/** Told of each change of a domain's verdict; must not block or throw. */
@FunctionalInterface
public interface VerdictListener {
  /**
   * @param previous the verdict before, {@code null} for the first one
   */
  void changed(Verdict previous, Verdict next);
}
