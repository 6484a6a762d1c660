package dev.tandem.engine.yaml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem found while reading input files, so that a user sees all of them at once
 * rather than fixing one per run. Not thread-safe: one instance per validation.
 */
public final class Problems {
  private final List<Problem> problems = new ArrayList<>();

  public void add(SourceLocation at, String message) {
    problems.add(new Problem(at, message));
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public int size() {
    return problems.size();
  }

  /** The problems in file, line and column order. */
  public List<Problem> sorted() {
    List<Problem> copy = new ArrayList<>(problems);
    copy.sort(Comparator.comparing((Problem p) -> p.location().file().toString())
        .thenComparingInt(p -> p.location().line())
        .thenComparingInt(p -> p.location().column()));
    return List.copyOf(copy);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (Problem p : sorted()) {
      out.append(p).append('\n');
    }
    return out.toString();
  }
}
