package dev.tandem.engine.yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} and {@code ${file:PATH}} in configuration values. A whole value or
 * a part of one may be a reference. Messages name the variable or file, never the value. Shared by
 * every loader of a Tandem YAML file (the observer's and the failover controller's).
 */
public final class SecretResolver implements ValueResolver {
  private static final Pattern REF = Pattern.compile("\\$\\{(env|file):([^}]*)}");
  /** A secret file is a token, not a document. */
  public static final long MAX_FILE_BYTES = 64 * 1024;

  private final Function<String, String> env;
  private final Path baseDir;

  /**
   * @param env looks up an environment variable (null when unset)
   * @param baseDir the folder {@code ${file:PATH}} is relative to
   */
  public SecretResolver(Function<String, String> env, Path baseDir) {
    this.env = env;
    this.baseDir = baseDir;
  }

  @Override
  public String resolve(String raw) {
    Matcher m = REF.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2).trim();
      String value;
      if (m.group(1).equals("env")) {
        if (name.isEmpty()) {
          throw new IllegalArgumentException("${env:} needs a variable name");
        }
        value = env.apply(name);
        if (value == null) {
          throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
      } else {
        Path file = baseDir.resolve(name);
        try {
          if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("secret file " + file + " is larger than "
                + MAX_FILE_BYTES + " bytes");
          }
          value = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new IllegalArgumentException("cannot read secret file " + file + " ("
              + e.getClass().getSimpleName() + ")");
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
