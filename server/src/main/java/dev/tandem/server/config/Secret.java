package dev.tandem.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** A token or routing key: never printed, compared in constant time. */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** The secret itself, for the one place that must send it. */
  public String reveal() {
    return value;
  }

  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
        candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "****";
  }
}
