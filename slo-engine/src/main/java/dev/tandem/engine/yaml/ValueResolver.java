package dev.tandem.engine.yaml;

/**
 * Turns a raw scalar into the value a reader sees, for example {@code ${env:NAME}} into the
 * variable's value. Throws {@link IllegalArgumentException} with a message that never contains
 * the resolved value (it may be a secret).
 */
@FunctionalInterface
public interface ValueResolver {
  ValueResolver NONE = raw -> raw;

  String resolve(String raw);
}
