package dev.tandem.synthetics;

import java.net.URI;
import java.util.Objects;

/**
 * One cloud that journeys run against.
 *
 * @param cloud the cloud's id, as in the configuration's {@code clouds}
 * @param baseUrl {@code http://} or {@code https://}; step paths are appended to it
 */
public record Target(String cloud, String baseUrl) {
  public Target {
    Objects.requireNonNull(cloud, "cloud");
    if (!Journey.ID.matcher(cloud).matches()) {
      throw new IllegalArgumentException("cloud id '" + cloud + "' must match " + Journey.ID);
    }
    Objects.requireNonNull(baseUrl, "baseUrl");
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("target " + cloud + ": bad base URL " + baseUrl);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("target " + cloud + ": base URL must be http(s)://host[:port], got "
          + baseUrl);
    }
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
  }

  String url(String path) {
    return baseUrl + path;
  }
}
