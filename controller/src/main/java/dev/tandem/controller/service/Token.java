package dev.tandem.controller.service;

import java.util.Objects;

/** A bearer token from the config: sent where it must go, never printed. */
public final class Token {
  private final String value;

  Token(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** A token given in code (the demo's generated one). */
  public static Token of(String value) {
    return new Token(value);
  }

  /** The token itself, for the one header that carries it. */
  String reveal() {
    return value;
  }

  boolean matches(String candidate) {
    return candidate != null && java.security.MessageDigest.isEqual(
        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "****";
  }
}
