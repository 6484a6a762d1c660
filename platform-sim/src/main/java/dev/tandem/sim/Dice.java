package dev.tandem.sim;

import java.util.random.RandomGenerator;

/** The injected random generator, shared by both clouds' event loops, hence the lock. */
final class Dice {
  private final RandomGenerator random;

  Dice(RandomGenerator random) {
    this.random = random;
  }

  synchronized boolean roll(double probability) {
    return probability > 0 && (probability >= 1 || random.nextDouble() < probability);
  }

  synchronized String nextId(String prefix) {
    return prefix + String.format("%016x", random.nextLong());
  }
}
