package dev.tandem.engine.slo;

import java.util.Objects;

/**
 * Either an object written in place or a reference to one defined elsewhere: OpenSLO lets an
 * SLO's indicator and alert policies, and a policy's conditions and notification targets, be
 * either. Exactly one of the two is set.
 */
public record OpenSloLink<T>(T inline, OpenSloRef ref) {
  public OpenSloLink {
    if ((inline == null) == (ref == null)) {
      throw new IllegalArgumentException("a link is either inline or a reference, exactly one");
    }
  }

  public static <T> OpenSloLink<T> of(T inline) {
    return new OpenSloLink<>(Objects.requireNonNull(inline, "inline"), null);
  }

  public static <T> OpenSloLink<T> to(OpenSloRef ref) {
    return new OpenSloLink<>(null, Objects.requireNonNull(ref, "ref"));
  }

  public boolean isRef() {
    return ref != null;
  }
}
