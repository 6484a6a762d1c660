package dev.tandem.synthetics;

import java.util.Objects;

/**
 * Where probes run from: a third-party location or a point inside one of the clouds. Independent
 * vantages are what lets the engine tell a cloud-wide outage from one location's trouble.
 *
 * @param id stamped on every request ({@code X-Tandem-Vantage}) and observation
 * @param provider who runs it: {@code third-party} or a cloud id
 * @param region optional; {@code null} when unknown
 */
public record Vantage(String id, String provider, String region) {
  public Vantage {
    Objects.requireNonNull(id, "id");
    if (!Journey.ID.matcher(id).matches()) {
      throw new IllegalArgumentException("vantage id '" + id + "' must match " + Journey.ID);
    }
    if (provider == null || provider.isBlank()) {
      throw new IllegalArgumentException("vantage " + id + " needs a provider");
    }
    if (region != null && region.isBlank()) {
      region = null;
    }
  }

  public Vantage(String id, String provider) {
    this(id, provider, null);
  }
}
