package dev.tandem.engine.verdict;

import java.util.Objects;

/** Who is judging: stamped on every verdict, so a controller can count agreeing observers. */
public record ObserverIdentity(String id, String cloud) {
  public ObserverIdentity {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(cloud, "cloud");
  }
}
