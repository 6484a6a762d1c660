package dev.tandem.engine.yaml;

import java.util.List;

/** Thrown at start-up when input files have problems; carries all of them. */
public final class InvalidInputException extends Exception {
  private final transient List<Problem> problems;

  public InvalidInputException(Problems problems) {
    super(problems.size() + " problem(s) in the input:\n" + problems);
    this.problems = problems.sorted();
  }

  public List<Problem> problems() {
    return problems;
  }
}
